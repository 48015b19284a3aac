// The console's test call (Dubbo Admin's "service test", with the mesh's reasoning added): call any
// method of a registered interface with a JSON body, either through the mesh, as a proxyless
// client of this control plane would (route, cluster and endpoint picked by @shoal/mesh, every
// decision returned), or straight to one chosen instance. Message types come from the instance's
// server reflection (gRPC doc server-reflection.md), so no generated code is needed. Under mutual
// TLS (PeerAuthentication STRICT) the calls carry a certificate of the control plane's own CA
// (`spiffe://<td>/ns/istio-system/sa/shoal-console`): through the mesh from its xDS security,
// direct ones retried over mTLS when the instance refuses plaintext.

import {
  create,
  type DescMethod,
  type DescService,
  type FileRegistry,
  fromJson,
  type JsonValue,
  toJson,
} from '@bufbuild/protobuf';
import type { CallDecision, MeshTransport } from '@shoal/mesh';
import {
  Code,
  codeName,
  createClient,
  GrpcTransport,
  Metadata,
  ReflectionClient,
  RpcError,
  type Transport,
} from '@shoal/rpc';
import type { CallDestination } from '@shoal/rpc/plugins';
import type { XdsClient } from '@shoal/xds';
import type { CertificateAuthority } from '../ca/certificate-authority.js';
import { LOCAL_CA_PLUGIN, LocalCaProvider, localCaRegistry } from '../ca/local-ca-provider.js';
import type { Registry } from '../registry/registry-types.js';
import { HttpError } from './http-json.js';

export interface TestCallRequest {
  /** An interface name (`greet.v1.GreeterService`), or `xds:///host:port`. */
  target: string;
  /** `package.Service/Method`. */
  method: string;
  /** The request message as JSON (a list of messages for client streaming). */
  body?: unknown;
  headers?: Record<string, string>;
  /** `address:port` of one instance: call it directly instead of through the mesh. */
  endpoint?: string;
  timeoutMs?: number;
}

export interface MethodInfo {
  name: string;
  kind: DescMethod['methodKind'];
  input: string;
  output: string;
  /** The input message with every field at its default, as JSON: a body to start from. */
  template: JsonValue;
}

export interface TestCallerOptions {
  registry: Registry;
  /** `host:port` of this control plane's ADS server, once it listens. */
  xdsAddress: () => string | undefined;
  /** The control plane's CA, for the test calls' own certificate under mutual TLS. */
  ca?: () => CertificateAuthority | undefined;
}

/** The test caller's identity in the mesh. */
const IDENTITY = { namespace: 'istio-system', serviceAccount: 'shoal-console' };

const MAX_STREAMED = 100;

export class TestCaller {
  private readonly options: TestCallerOptions;
  private xds: XdsClient | undefined;
  private identity: LocalCaProvider | undefined;
  /** Instances that refused plaintext: called over mTLS from then on. */
  private readonly mtlsOnly = new Set<string>();
  private readonly mesh = new Map<
    string,
    { transport: MeshTransport; queue: Promise<unknown>; sink: CallDecision[] }
  >();

  constructor(options: TestCallerOptions) {
    this.options = options;
  }

  /** The methods of `target` (or of one instance), from server reflection on an instance. */
  async methods(target: string, endpoint?: string) {
    const address = endpoint ?? this.instanceOf(target);
    return this.direct(address, async (transport) => {
      const reflection = new ReflectionClient(transport, { timeoutMs: 5000 });
      const names = (await reflection.listServices()).filter((n) => !n.startsWith('grpc.reflection.'));
      const services = [];
      for (const name of names) {
        const registry = await reflection.registryFor(name);
        const service = registry.getService(name);
        if (!service) continue;
        services.push({ name, methods: service.methods.map((m) => methodInfo(m, registry)) });
      }
      return { address, services };
    }).catch((err) => unreachable(address, err));
  }

  /**
   * Runs `fn` on a transport to one instance: plaintext, or, when the instance refuses plaintext
   * (mutual TLS is required), over mTLS with this control plane's certificate.
   */
  private async direct<T>(address: string, fn: (transport: Transport) => Promise<T>): Promise<T> {
    if (!this.mtlsOnly.has(address)) {
      const plain = new GrpcTransport({ address });
      try {
        return await fn(plain);
      } catch (err) {
        if (!/plaintext connection refused/.test(RpcError.from(err).rawMessage)) throw err;
        this.mtlsOnly.add(address);
      } finally {
        plain.close();
      }
    }
    const material = await this.identityProvider().ready(10_000);
    const secure = new GrpcTransport({
      address,
      tls: {
        cert: material.certChain!,
        key: material.privateKey!,
        ca: material.roots!,
        // Any certificate of this mesh's CA: the instance was picked from the registry.
        checkServerIdentity: () => undefined,
      },
    });
    try {
      return await fn(secure);
    } finally {
      secure.close();
    }
  }

  private identityProvider(): LocalCaProvider {
    const ca = this.options.ca?.();
    if (!ca) throw new HttpError(503, 'the CA is not ready yet');
    this.identity ??= new LocalCaProvider(ca, IDENTITY);
    return this.identity;
  }

  async call(req: TestCallRequest) {
    checkRequest(req);
    const address = req.endpoint ?? this.instanceOf(req.target);
    const [serviceName, methodName] = splitMethod(req.method);
    const registry: FileRegistry = await this.direct(address, (t) =>
      new ReflectionClient(t, { timeoutMs: 5000 }).registryFor(serviceName),
    ).catch((err) => unreachable(address, err));
    const service = registry.getService(serviceName);
    const method = service?.methods.find((m) => m.name === methodName);
    if (!service || !method) throw new HttpError(404, `${address} has no method ${req.method}`);
    const messages = requestMessages(req, method, registry);

    if (req.endpoint !== undefined) {
      const result = await this.direct(req.endpoint, (t) =>
        invoke(t, service, method, registry, messages, req),
      );
      return { via: 'direct', ...result, decisions: [] };
    }
    const mesh = await this.meshFor(req.target);
    const run = mesh.queue.then(async () => {
      mesh.sink.length = 0;
      const result = await invoke(mesh.transport, service, method, registry, messages, req);
      return { via: 'mesh', ...result, decisions: [...mesh.sink] };
    });
    mesh.queue = run.catch(() => {});
    return run;
  }

  /** Ends the mesh client (the admin server is closing). */
  close(): void {
    for (const m of this.mesh.values()) m.transport.close();
    this.mesh.clear();
    void this.xds?.close();
    this.xds = undefined;
    this.identity?.close();
  }

  /** A healthy instance serving `target`, for reflection (and the default of a direct call). */
  private instanceOf(target: string): string {
    const { registry } = this.options;
    const xds = /^xds:\/\/\/([^:/]+):(\d+)$/.exec(target);
    const hosts = xds
      ? registry.services().filter((s) => s.hostname === xds[1] || s.hostname.startsWith(`${xds[1]}.`))
      : registry
          .resolveInterface(target)
          .map((t) => registry.service(t.hostname))
          .filter((s) => s !== undefined);
    const endpoints = hosts.flatMap((s) => registry.endpoints(s.hostname));
    const pick = endpoints.find((e) => e.health === 'HEALTHY') ?? endpoints[0];
    if (!pick) throw new HttpError(404, `no registered instance serves "${target}"`);
    return pick.address.includes(':') ? `[${pick.address}]:${pick.port}` : `${pick.address}:${pick.port}`;
  }

  private async meshFor(target: string) {
    let mesh = this.mesh.get(target);
    if (mesh) return mesh;
    const address = this.options.xdsAddress();
    if (!address) throw new HttpError(503, 'the control plane is not serving xDS yet');
    const [{ MeshTransport }, { createXdsClient, parseBootstrap }] = await Promise.all([
      import('@shoal/mesh'),
      import('@shoal/xds'),
    ]);
    const bootstrap = parseBootstrap({
      xds_servers: [
        { server_uri: address, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
      ],
      node: { id: 'shoal-console', metadata: { NAMESPACE: IDENTITY.namespace } },
      // The identity for clusters with an UpstreamTlsContext (mutual TLS).
      certificate_providers: { default: { plugin_name: LOCAL_CA_PLUGIN, config: {} } },
    });
    this.xds ??= createXdsClient({
      bootstrap,
      certificateProviderRegistry: localCaRegistry(() => this.identityProvider()),
    });
    const sink: CallDecision[] = [];
    const transport = new MeshTransport({
      xds: this.xds,
      bootstrap,
      target,
      onDecision: (d) => sink.push(d),
    });
    mesh = { transport, queue: Promise.resolve(), sink };
    this.mesh.set(target, mesh);
    return mesh;
  }
}

async function invoke(
  transport: Transport,
  service: DescService,
  method: DescMethod,
  registry: FileRegistry,
  messages: unknown[],
  req: TestCallRequest,
) {
  const client = createClient(service, transport) as Record<string, (...args: unknown[]) => unknown>;
  const fn = client[method.localName]!;
  let headers: Record<string, string> = {};
  let trailers: Record<string, string> = {};
  let destination: CallDestination | undefined;
  const options = {
    timeoutMs: req.timeoutMs ?? 5000,
    headers: new Metadata(req.headers ?? {}),
    onHeader: (h: Metadata) => (headers = flat(h)),
    onTrailer: (t: Metadata) => (trailers = flat(t)),
    onDestination: (d: CallDestination) => (destination = d),
  };
  const json = (m: unknown) => toJson(method.output, m as never, { registry });
  const started = performance.now();
  let response: JsonValue | JsonValue[] | undefined;
  let error: RpcError | undefined;
  try {
    switch (method.methodKind) {
      case 'unary':
        response = json(await fn(messages[0], options));
        break;
      case 'client_streaming':
        response = json(await fn(iterate(messages), options));
        break;
      default: {
        const input = method.methodKind === 'server_streaming' ? messages[0] : iterate(messages);
        response = [];
        for await (const m of fn(input, options) as AsyncIterable<unknown>) {
          if (response.length < MAX_STREAMED) response.push(json(m));
        }
      }
    }
  } catch (err) {
    error = RpcError.from(err);
  }
  const code = error?.code ?? Code.OK;
  return {
    status: { code, name: codeName(code), message: error?.message ?? '' },
    ...(response !== undefined ? { response } : {}),
    latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
    ...(destination ? { destination } : {}),
    headers,
    trailers,
  };
}

function methodInfo(m: DescMethod, registry: FileRegistry): MethodInfo {
  return {
    name: m.name,
    kind: m.methodKind,
    input: m.input.typeName,
    output: m.output.typeName,
    template: toJson(m.input, create(m.input), { registry, alwaysEmitImplicit: true }),
  };
}

function requestMessages(req: TestCallRequest, method: DescMethod, registry: FileRegistry): unknown[] {
  const many = method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming';
  const bodies = many ? (Array.isArray(req.body) ? req.body : [req.body ?? {}]) : [req.body ?? {}];
  return bodies.map((b, i) => {
    try {
      return fromJson(method.input, b as JsonValue, { registry });
    } catch (err) {
      const where = many ? `body[${i}]` : 'body';
      throw new HttpError(400, `${where} is not a ${method.input.typeName}: ${(err as Error).message}`);
    }
  });
}

function checkRequest(req: TestCallRequest): void {
  if (typeof req !== 'object' || req === null) throw new HttpError(400, 'the body must be a JSON object');
  if (typeof req.target !== 'string' || req.target === '') throw new HttpError(400, 'target: required');
  if (typeof req.method !== 'string') throw new HttpError(400, 'method: required (package.Service/Method)');
  if (req.endpoint !== undefined && !/^(\[[0-9a-fA-F:.]+\]|[^:/\s]+):\d{1,5}$/.test(req.endpoint))
    throw new HttpError(400, `endpoint: "${req.endpoint}" is not address:port`);
  if (req.timeoutMs !== undefined && !(req.timeoutMs > 0 && req.timeoutMs <= 60_000))
    throw new HttpError(400, 'timeoutMs: must be 1..60000');
  if (req.headers !== undefined && (typeof req.headers !== 'object' || Array.isArray(req.headers)))
    throw new HttpError(400, 'headers: must be an object of strings');
}

function splitMethod(name: string): [string, string] {
  const slash = name.lastIndexOf('/');
  if (slash <= 0) throw new HttpError(400, `method: "${name}" is not package.Service/Method`);
  return [name.slice(0, slash), name.slice(slash + 1)];
}

function unreachable(address: string, err: unknown): never {
  const e = RpcError.from(err);
  if (e.code === Code.UNIMPLEMENTED) throw new HttpError(502, `${address} does not offer server reflection`);
  if (e.code === Code.NOT_FOUND) throw new HttpError(404, `${address}: ${e.message}`);
  throw new HttpError(502, `reflection on ${address} failed: ${codeName(e.code)}: ${e.message}`);
}

function flat(m: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.toJSON())) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
