// Test support for the xDS interop scenarios: Shoal's control plane in this process, the
// interop servers as processes registered through WorkloadEntries, Shoal's interop client (in this
// process, or as a process), and a grpc-js-xds client for comparison. Internal to the tests.

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ControlPlane } from '@shoal/control-plane';
import { type Client, createClient } from '@shoal/rpc';
import { createXdsClient, envoy, parseBootstrap } from '@shoal/xds';
import type { LoadBalancerStatsResponse } from '../gen/grpc/testing/messages_pb.js';
import { LoadBalancerStatsService, XdsUpdateClientConfigureService } from '../gen/grpc/testing/test_pb.js';
import type { ClientConfig } from './client-config.js';
import { type HarnessProcess, startHarnessProcess } from './harness-process.js';
import { HOSTNAME_HEADER } from './test-service-impl.js';
import { XdsInteropClient } from './xds-interop-client.js';

export const NAMESPACE = 'default';
/** The client's locality: failover scenarios put backends in and out of it. */
export const CLIENT_LOCALITY = { region: 'r1', zone: 'z1', sub_zone: '' } as const;

/** gRPC's bootstrap pointing at the control plane, for a client in CLIENT_LOCALITY. */
export function bootstrapJson(xdsPort: number, nodeId: string): string {
  return JSON.stringify({
    xds_servers: [
      {
        server_uri: `127.0.0.1:${xdsPort}`,
        channel_creds: [{ type: 'insecure' }],
        server_features: ['xds_v3'],
      },
    ],
    node: { id: nodeId, metadata: { NAMESPACE, GENERATOR: 'grpc' }, locality: CLIENT_LOCALITY },
    server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
  });
}

export interface Backend {
  /** Server id = the hostname clients count calls by. */
  readonly id: string;
  readonly port: number;
  readonly maintenancePort: number;
  readonly process: HarnessProcess;
}

/** Starts interop servers as processes, all at once. */
export async function startBackends(
  ids: readonly string[],
  env?: NodeJS.ProcessEnv,
  extraArgs: readonly string[] = [],
): Promise<Backend[]> {
  return Promise.all(
    ids.map(async (id) => {
      const process = await startHarnessProcess(
        'server',
        ['--port=0', '--maintenance_port=0', `--server_id=${id}`, '--host=127.0.0.1', ...extraArgs],
        env,
      );
      return {
        id,
        port: Number(process.info.port),
        maintenancePort: Number(process.info.maintenance_port),
        process,
      };
    }),
  );
}

export interface Member {
  readonly backend: Backend;
  readonly labels?: Record<string, string>;
  /** `region/zone`; default the client's. */
  readonly locality?: string;
}

/** A ServiceEntry for `<app>.default.svc.cluster.local:<port>` and one WorkloadEntry per member. */
export function serviceYaml(app: string, port: number, members: readonly Member[]): string {
  return [
    `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ${app}, namespace: ${NAMESPACE} }
spec:
  hosts: [${app}.${NAMESPACE}.svc.cluster.local]
  ports: [{ number: ${port}, name: grpc, protocol: GRPC }]
  location: MESH_INTERNAL
  resolution: STATIC
  workloadSelector: { labels: { app: ${app} } }`,
    ...members.map((m) => workloadEntryYaml(app, m)),
  ].join('\n---\n');
}

export function workloadEntryYaml(app: string, m: Member): string {
  const labels = { app, ...m.labels };
  const locality = m.locality ?? `${CLIENT_LOCALITY.region}/${CLIENT_LOCALITY.zone}`;
  return `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: ${app}-${m.backend.id}, namespace: ${NAMESPACE} }
spec:
  address: 127.0.0.1
  ports: { grpc: ${m.backend.port} }
  labels: ${JSON.stringify(labels)}
  locality: ${locality}`;
}

/** Applies YAML to the control plane's store; fails on anything skipped. */
export async function apply(cp: ControlPlane, yaml: string): Promise<void> {
  const result = await cp.store.apply(yaml, { source: 'xds-interop-test' });
  if (result.skipped.length > 0) throw new Error(`config skipped: ${JSON.stringify(result.skipped)}`);
}

export type StatsClient = Client<typeof LoadBalancerStatsService>;
export type ConfigureClient = Client<typeof XdsUpdateClientConfigureService>;

export interface ShoalClient {
  readonly stats: StatsClient;
  readonly configure: ConfigureClient;
  close(): Promise<void>;
}

/** Shoal's interop client in this process, against `target` through the control plane. */
export async function startShoalClient(
  xdsPort: number,
  target: string,
  config: Partial<ClientConfig> = {},
  qps = 100,
  numChannels = 1,
): Promise<ShoalClient> {
  const bootstrap = parseBootstrap(
    JSON.parse(
      bootstrapJson(xdsPort, `sidecar~127.0.0.1~shoal-client.${NAMESPACE}~${NAMESPACE}.svc.cluster.local`),
    ),
  );
  const client = new XdsInteropClient({
    server: target,
    statsPort: 0,
    qps,
    numChannels,
    config: { types: ['UnaryCall'], metadata: new Map(), timeoutSec: 5, ...config },
    defaultTimeoutSec: 5,
    xds: createXdsClient({ bootstrap }),
  });
  const { statsPort } = await client.start();
  return {
    stats: createClient(LoadBalancerStatsService, `127.0.0.1:${statsPort}`),
    configure: createClient(XdsUpdateClientConfigureService, `127.0.0.1:${statsPort}`),
    close: () => client.close(),
  };
}

/** Shoal's interop client as a process (the `shoal-xds-interop-client` bin). */
export async function startShoalClientProcess(
  xdsPort: number,
  args: readonly string[],
): Promise<ShoalClient & { readonly process: HarnessProcess }> {
  const env = {
    ...process.env,
    GRPC_XDS_BOOTSTRAP_CONFIG: bootstrapJson(
      xdsPort,
      `sidecar~127.0.0.1~shoal-client-proc.${NAMESPACE}~${NAMESPACE}.svc.cluster.local`,
    ),
  };
  const proc = await startHarnessProcess(
    'client',
    ['--stats_port=0', '--stats_host=127.0.0.1', ...args],
    env,
  );
  const address = `127.0.0.1:${proc.info.stats_port}`;
  return {
    process: proc,
    stats: createClient(LoadBalancerStatsService, address),
    configure: createClient(XdsUpdateClientConfigureService, address),
    close: async () => void (await proc.stop()),
  };
}

/**
 * Polls GetClientStats (windows of numRpcs calls) until `accept` holds for a window, or throws
 * with the last window after timeoutMs: config changes take a moment to reach the client. A
 * window may take 30 s: on a loaded machine the client falls well behind its QPS, and calls still
 * running when a window closes would count as failures.
 */
export async function statsWhen(
  stats: StatsClient,
  numRpcs: number,
  accept: (r: LoadBalancerStatsResponse) => boolean,
  timeoutMs = 45_000,
): Promise<LoadBalancerStatsResponse> {
  const deadline = Date.now() + timeoutMs;
  let last: LoadBalancerStatsResponse | undefined;
  while (Date.now() < deadline) {
    last = await stats.getClientStats({ numRpcs, timeoutSec: 30 });
    if (accept(last)) return last;
  }
  throw new Error(`stats never matched; last window: ${JSON.stringify(summary(last))}`);
}

export function summary(r: LoadBalancerStatsResponse | undefined): unknown {
  if (!r) return undefined;
  return {
    rpcsByPeer: r.rpcsByPeer,
    numFailures: r.numFailures,
    rpcsByMethod: Object.fromEntries(Object.entries(r.rpcsByMethod).map(([m, v]) => [m, v.rpcsByPeer])),
  };
}

/** Percent of the window's calls each peer got. */
export function shares(counts: Record<string, number>): Record<string, number> {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, total === 0 ? 0 : (100 * v) / total]));
}

export function withinPoints(
  counts: Record<string, number>,
  want: Record<string, number>,
  points: number,
): boolean {
  const got = shares(counts);
  const peers = new Set([...Object.keys(got), ...Object.keys(want)]);
  return [...peers].every((p) => Math.abs((got[p] ?? 0) - (want[p] ?? 0)) <= points);
}

const protoDir = fileURLToPath(new URL('../../proto/', import.meta.url));

/** grpc.testing's services as grpc-js loads them from the proto (load after `@grpc/grpc-js-xds`'s register()). */
export function grpcJsTestPackage(): { TestService: grpc.ServiceClientConstructor } {
  const definition = protoLoader.loadSync('grpc/testing/test.proto', { includeDirs: [protoDir] });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { testing: { TestService: grpc.ServiceClientConstructor } };
  };
  return pkg.grpc.testing;
}

/** A grpc-js client of grpc.testing.TestService (insecure unless `credentials` say otherwise). */
export function grpcJsTestClient(
  target: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): grpc.Client & Record<string, Function> {
  return new (grpcJsTestPackage().TestService)(target, credentials) as never;
}

/**
 * `calls` calls of `method` through a grpc-js(-xds) client, `concurrency` at a time: counts per
 * hostname (SimpleResponse.hostname, or the `hostname` header for EmptyCall) and failures by code.
 */
export async function grpcJsCounts(
  client: grpc.Client & Record<string, Function>,
  calls: number,
  metadata: Record<string, string> = {},
  method: 'UnaryCall' | 'EmptyCall' = 'UnaryCall',
  concurrency = 10,
): Promise<{
  counts: Record<string, number>;
  failures: number;
  codes: Record<number, number>;
  firstError?: string;
}> {
  const counts: Record<string, number> = {};
  const codes: Record<number, number> = {};
  let failures = 0;
  let firstError: string | undefined;
  let started = 0;
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  type Callback = (err: grpc.ServiceError | null, res?: { hostname?: string }) => void;
  const call = client[method] as (
    req: object,
    md: grpc.Metadata,
    o: grpc.CallOptions,
    cb: Callback,
  ) => grpc.Call;
  const one = () =>
    new Promise<void>((resolve) => {
      let header: string | undefined;
      const pending = call.call(client, {}, md, { deadline: Date.now() + 5000 }, (err, res) => {
        if (err || !res) {
          failures++;
          firstError ??= err?.message;
          const code = err?.code ?? -1;
          codes[code] = (codes[code] ?? 0) + 1;
        } else {
          const peer = (method === 'UnaryCall' ? res.hostname : header) ?? '';
          counts[peer] = (counts[peer] ?? 0) + 1;
        }
        resolve();
      });
      pending.on('metadata', (m: grpc.Metadata) => (header = m.get(HOSTNAME_HEADER)[0]?.toString()));
    });
  const worker = async () => {
    while (started < calls) {
      started++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { counts, failures, codes, ...(firstError !== undefined && { firstError }) };
}

export { ControlPlane };

/** Calls ended with a non-OK status so far, over all RPC types. */
export async function failedCalls(stats: StatsClient): Promise<number> {
  const acc = await stats.getClientAccumulatedStats({});
  let failed = 0;
  for (const method of Object.values(acc.statsPerMethod)) {
    for (const [code, count] of Object.entries(method.result)) if (Number(code) !== 0) failed += count;
  }
  return failed;
}

/** Calls started but not ended yet, for one RPC type ("UNARY_CALL", "EMPTY_CALL"). */
export async function inFlight(stats: StatsClient, type: string): Promise<number> {
  const m = (await stats.getClientAccumulatedStats({})).statsPerMethod[type];
  if (!m) return 0;
  return m.rpcsStarted - Object.values(m.result).reduce((a, b) => a + b, 0);
}

/** Calls of one RPC type that ended with `code` so far. */
export async function resultCount(stats: StatsClient, type: string, code: number): Promise<number> {
  return (await stats.getClientAccumulatedStats({})).statsPerMethod[type]?.result[code] ?? 0;
}

/** Polls `probe` until it holds, or throws after timeoutMs. */
export async function eventually(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** DestinationRule with version subsets, plus an optional traffic policy (YAML, indented 2). */
export function subsetsRule(app: string, versions: readonly string[], trafficPolicy = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ${app}, namespace: ${NAMESPACE} }
spec:
  host: ${app}
  subsets:
${versions.map((v) => `    - { name: ${v}, labels: { version: ${v} } }`).join('\n')}${trafficPolicy ? `\n  trafficPolicy:\n${trafficPolicy}` : ''}`;
}

/** VirtualService for `app` with the given http routes (YAML list items, indented 4). */
export function virtualService(app: string, httpRoutes: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${app}, namespace: ${NAMESPACE} }
spec:
  hosts: [${app}]
  http:
${httpRoutes}`;
}

export interface GrpcJsCounts {
  readonly counts: Record<string, number>;
  readonly failures: number;
  readonly codes: Record<number, number>;
}

/** @grpc/grpc-js-xds's client in a child process, bootstrapped to the control plane. */
export class GrpcJsXdsWorker {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, (r: GrpcJsCounts) => void>();
  private nextId = 0;

  constructor(xdsPort: number) {
    this.child = fork(fileURLToPath(new URL('./grpc-js-xds-worker.js', import.meta.url)), [], {
      env: {
        ...process.env,
        GRPC_XDS_BOOTSTRAP_CONFIG: bootstrapJson(
          xdsPort,
          `sidecar~127.0.0.1~grpc-js-client.${NAMESPACE}~${NAMESPACE}.svc.cluster.local`,
        ),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', ({ id, ...result }: GrpcJsCounts & { id: number }) => {
      this.pending.get(id)?.(result);
      this.pending.delete(id);
    });
  }

  /** `calls` calls to `target` (10 at a time); counts per hostname and failures by code. */
  counts(
    target: string,
    calls: number,
    metadata: Record<string, string> = {},
    method: 'UnaryCall' | 'EmptyCall' = 'UnaryCall',
  ): Promise<GrpcJsCounts> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`grpc-js-xds worker: no answer in 60 s`)), 60_000);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.child.send({ id, target, calls, metadata, method });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** One scenario suite's world: a control plane, backends as processes, and the clients made. */
export class ScenarioEnv {
  readonly cp = new ControlPlane({ xdsPort: 0, adminPort: 0, leaseGraceMs: 0 });
  xdsPort = 0;
  readonly backends: Backend[] = [];
  private readonly clients: ShoalClient[] = [];

  async start(backendIds: readonly string[]): Promise<void> {
    this.xdsPort = (await this.cp.start()).xds.port;
    this.backends.push(...(await startBackends(backendIds)));
  }

  backend(id: string): Backend {
    const b = this.backends.find((x) => x.id === id);
    if (!b) throw new Error(`no backend ${id}`);
    return b;
  }

  /** Shoal's interop client in this process, closed by stop(). */
  async client(
    target: string,
    config: Partial<ClientConfig> = {},
    qps = 100,
    numChannels = 1,
  ): Promise<ShoalClient> {
    const c = await startShoalClient(this.xdsPort, target, config, qps, numChannels);
    this.clients.push(c);
    return c;
  }

  /** Keeps a client made elsewhere (e.g. a process) to close it in stop(). */
  track<C extends ShoalClient>(c: C): C {
    this.clients.push(c);
    return c;
  }

  apply(yaml: string): Promise<void> {
    return apply(this.cp, yaml);
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    await Promise.all(this.backends.map((b) => b.process.stop()));
    await this.cp.stop(200);
  }
}

/** `Type/name` of every resource a CSDS service at `address` reports, e.g. `Listener/pingpong:8080`. */
export async function csdsResources(address: string): Promise<string[]> {
  const csds = createClient(envoy.ClientStatusDiscoveryService, address);
  const response = await csds.fetchClientStatus({});
  return response.config.flatMap((c) =>
    c.genericXdsConfigs.map((g) => `${g.typeUrl.split('.').pop()}/${g.name}`),
  );
}
