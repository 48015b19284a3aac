// The admin API: JSON over HTTP (HTTPS with a certificate) for `shoal apply/get/delete/validate`,
// `shoal instance`, `shoal proxy-status`, `shoal proxy-config` and the web console, whose built files it serves at
// `/`. Endpoints are documented in ../../ADMIN-API.md; the answers typed in ./api/ (the
// `@shoal/control-plane/admin-api` entry) are built as those types. Every request passes the
// AdminGuard first (Host, Origin, content type, the bearer token), the console's files too.
// Istio: istiod's debug endpoints (/debug/syncz, /debug/config_dump?proxyID=).

import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type Registry as ProtoRegistry, toJson } from '@bufbuild/protobuf';
import { createXdsRegistry } from '@shoal/xds';
import { stringify } from 'yaml';
import type { CertificateAuthority } from '../ca/certificate-authority.js';
import { validateConfig } from '../config/analyze.js';
import type { ConfigHistory } from '../config/config-history.js';
import { type ConfigKind, normalizeKind } from '../config/config-object.js';
import { ConfigRejectedError } from '../config/config-rejected-error.js';
import type { ConfigStore } from '../config/config-store.js';
import { locateFields } from '../config/field-positions.js';
import type { InstanceHealth } from '../registry/instance-health.js';
import type { Registry } from '../registry/registry-types.js';
import { noTraffic, type TrafficSource } from '../traffic/traffic-source.js';
import type { AdsServer } from '../xds-server/ads-server.js';
import { SHORT_TYPES } from '../xds-server/type-names.js';
import type { AdminGuard } from './admin-guard.js';
import { liveAnalysis, registryFacts } from './analysis-api.js';
import type {
  ApplyAnswer,
  ApplyRejectedAnswer,
  ConfigListAnswer,
  ConfigObjectAnswer,
  DeleteAnswer,
  ValidateAnswer,
} from './api/config.js';
import type {
  RegistryEndpointsAnswer,
  RegistryInterfacesAnswer,
  RegistryServicesAnswer,
} from './api/registry.js';
import type { HealthAnswer, ServerStatus, StatusAnswer } from './api/status.js';
import type { TrafficReport } from './api/traffic.js';
import type { ConfigDumpAnswer, SynczAnswer } from './api/xds-clients.js';
import { changeDiff } from './config-diff.js';
import { ConsoleFiles } from './console-files.js';
import { EventStream } from './event-stream.js';
import { historyEntry, historyList, rollback } from './history-api.js';
import { HttpError, readBody, readJson, sendJson, sendText } from './http-json.js';
import { endpointsWithLeases } from './instance-leases.js';
import { handleInstances } from './instance-routes.js';
import { handleObservability, type ObservabilityOptions } from './observability-routes.js';
import { TestCaller, type TestCallRequest } from './test-call.js';

/** One endpoint of a concern kept in a file of its own (`METHOD /first/second` as the key). */
export type AdminHandler = (call: AdminCall) => Promise<void> | void;

export interface AdminCall {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly url: URL;
  /** The path's segments, decoded. */
  readonly parts: readonly string[];
}

export interface AdminServerOptions {
  store: ConfigStore;
  registry: Registry;
  /** Instances disabled by hand; without it the instance endpoints answer 404. */
  instances?: InstanceHealth;
  ads: AdsServer;
  history: ConfigHistory;
  /** More endpoints, by `METHOD /first/second` of their path (after the guard, like all). */
  routes?: Readonly<Record<string, AdminHandler>>;
  /** Checks every request before it reaches an endpoint. */
  guard: AdminGuard;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The CA, for test calls under mutual TLS. */
  ca?: () => CertificateAuthority | undefined;
  /** Extra fields for GET /api/status (addresses, config directory, snapshot). */
  status?: () => ServerStatus;
  /** The built console (packages/console/dist), served at `/`. */
  consoleDir?: string | undefined;
  /** Where `GET /api/traffic` and the `traffic` event read from. */
  traffic?: TrafficSource | undefined;
  /** `host:port` of the control plane's own ADS server, for test calls through the mesh. */
  xdsAddress?: () => string | undefined;
  /** /metrics, /api/prometheus/targets and /api/traffic (observability-routes.ts). */
  observability?: Omit<ObservabilityOptions, 'ads' | 'adminAddress'>;
  onError?: (err: unknown) => void;
}

export class AdminServer {
  readonly #options: AdminServerOptions;
  readonly #server: http.Server;
  readonly #console: ConsoleFiles;
  readonly #events: EventStream;
  readonly #caller: TestCaller;
  #protoRegistry: ProtoRegistry | undefined;
  #address: { host: string; port: number } | undefined;

  constructor(options: AdminServerOptions) {
    this.#options = options;
    this.#console = new ConsoleFiles(options.consoleDir);
    this.#events = new EventStream({
      store: options.store,
      registry: options.registry,
      clients: () => options.ads.clients(),
      status: () => this.#status(),
      traffic: options.traffic,
    });
    this.#caller = new TestCaller({
      registry: options.registry,
      xdsAddress: options.xdsAddress ?? (() => undefined),
      ...(options.ca && { ca: options.ca }),
    });
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.#handle(req, res).catch((err) => {
        if (err instanceof HttpError) {
          sendJson(res, err.status, { error: err.message, ...err.body }, err.headers);
          return;
        }
        options.onError?.(err);
        if (!res.headersSent) sendJson(res, 500, { error: String((err as Error)?.message ?? err) });
      });
    };
    this.#server = options.tls
      ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler)
      : http.createServer(handler);
  }

  /** `http` or `https`. */
  get scheme(): 'http' | 'https' {
    return this.#options.tls ? 'https' : 'http';
  }

  listen(port: number, host = '127.0.0.1'): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const a = this.#server.address() as AddressInfo;
        this.#options.guard.bound(a.address, a.port);
        this.#address = { host: a.address, port: a.port };
        resolve(this.#address);
      });
    });
  }

  close(): Promise<void> {
    this.#events.close();
    this.#caller.close();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.#options.guard.check(req);
    const url = new URL(req.url ?? '/', 'http://admin');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const route = `${method} /${parts.slice(0, 2).join('/')}`;
    const { store, registry, ads, history } = this.#options;
    if ((method === 'GET' || method === 'HEAD') && ConsoleFiles.owns(url.pathname)) {
      return this.#console.serve(url.pathname, req, res);
    }
    const yaml = url.searchParams.get('output') === 'yaml';
    const reply = (body: unknown) =>
      yaml ? sendText(res, 200, stringify(body), 'application/yaml') : sendJson(res, 200, body);

    switch (route) {
      case 'GET /healthz':
        return sendJson(res, 200, { ok: true } satisfies HealthAnswer);
      case 'GET /api/status':
        return sendJson(res, 200, this.#status());
      case 'GET /api/events':
        return this.#events.open(req, res);
      case 'POST /api/apply': {
        const body = await readBody(req);
        const source = url.searchParams.get('source') ?? 'admin API';
        const dryRun = ['1', 'true'].includes(url.searchParams.get('dryRun') ?? '');
        try {
          const result = await store.apply(body, { source, dryRun });
          return sendJson(res, 200, {
            version: result.version,
            ...(dryRun ? { dryRun: true } : {}),
            changes: result.changes.map((c) =>
              dryRun ? changeDiff(c) : { type: c.type, kind: c.kind, namespace: c.namespace, name: c.name },
            ),
            warnings: locateFields(body, result.warnings),
            skipped: result.skipped,
          } satisfies ApplyAnswer);
        } catch (err) {
          if (err instanceof ConfigRejectedError) {
            const issues = locateFields(body, err.issues);
            throw new HttpError(400, err.message, {
              errors: issues.filter((i) => i.severity === 'error'),
              warnings: issues.filter((i) => i.severity === 'warning'),
            } satisfies Omit<ApplyRejectedAnswer, 'error'>);
          }
          throw err;
        }
      }
      case 'GET /api/history':
        if (parts.length === 2) return sendJson(res, 200, historyList(history, store));
        if (parts.length === 3) return sendJson(res, 200, historyEntry(history, parts[2]!));
        break;
      case 'POST /api/history':
        if (parts.length === 4 && parts[3] === 'rollback')
          return sendJson(res, 200, await rollback(history, store, parts[2]!));
        break;
      case 'GET /api/analysis':
        return sendJson(res, 200, liveAnalysis(store, registry, ads.clients()));
      case 'GET /api/traffic': {
        const traffic: TrafficReport = (await this.#options.traffic?.report()) ?? noTraffic();
        // The source (Prometheus) did not answer: a bad gateway, with the reason in the body.
        return sendJson(res, traffic.error ? 502 : 200, traffic);
      }
      case 'GET /api/call':
        if (parts[2] === 'methods') {
          const target = url.searchParams.get('target');
          if (!target) throw new HttpError(400, 'methods needs ?target=INTERFACE');
          return sendJson(
            res,
            200,
            await this.#caller.methods(target, url.searchParams.get('endpoint') ?? undefined),
          );
        }
        break;
      case 'POST /api/call':
        return sendJson(res, 200, await this.#caller.call((await readJson(req)) as TestCallRequest));
      case 'POST /api/validate': {
        const body = await readBody(req);
        const source = url.searchParams.get('source') ?? 'input';
        const live = store.list();
        const facts = registryFacts(registry);
        const report = validateConfig(body, { source, validator: store.validator, ...facts, live });
        return sendJson(res, 200, {
          valid: report.errors.length === 0,
          errors: locateFields(body, report.errors),
          warnings: locateFields(body, report.warnings),
          skipped: report.skipped,
          objects: report.objects.map((o) => ({
            kind: o.kind,
            namespace: o.metadata.namespace,
            name: o.metadata.name,
          })),
        } satisfies ValidateAnswer);
      }
      case 'GET /api/config':
      case 'DELETE /api/config':
        return this.#config(method, parts.slice(2), url, reply, res);
      case 'GET /api/registry': {
        if (parts[2] === 'services')
          return reply({ items: registry.services() } satisfies RegistryServicesAnswer);
        if (parts[2] === 'endpoints') {
          const host = url.searchParams.get('host') ?? undefined;
          return reply({
            items: endpointsWithLeases(registry, ads.clients(), host),
          } satisfies RegistryEndpointsAnswer);
        }
        if (parts[2] === 'interfaces') {
          return reply({
            items: registry.interfaces().map((name) => ({ name, targets: registry.resolveInterface(name) })),
          } satisfies RegistryInterfacesAnswer);
        }
        break;
      }
      case 'GET /api/instances':
      case 'POST /api/instances': {
        const instances = this.#options.instances;
        if (!instances) break;
        return handleInstances(method, parts[2], url, req, res, { registry, instances });
      }
      case 'GET /debug/syncz':
        return sendJson(res, 200, { clients: ads.clients() } satisfies SynczAnswer);
      case 'GET /debug/config_dump':
        return this.#configDump(url, res);
    }
    const observability = this.#options.observability;
    if (observability) {
      const options = { ...observability, ads, adminAddress: () => this.#address };
      if (await handleObservability(options, route, url, res)) return;
    }
    const extra = this.#options.routes?.[route];
    if (extra) return extra({ req, res, url, parts });
    throw new HttpError(404, `no such endpoint: ${method} ${url.pathname}`);
  }

  #status(): StatusAnswer {
    const { store, registry, ads } = this.#options;
    return {
      configVersion: store.version,
      registryVersion: registry.version,
      objects: countByKind(store),
      services: registry.services().length,
      endpoints: registry.endpoints().length,
      clients: ads.clients().length,
      traffic: this.#options.traffic ? 'on' : 'off',
      // The console asks for the admin token before it writes.
      auth: { writes: 'token', reads: 'open on localhost' },
      ...this.#options.status?.(),
    };
  }

  async #config(
    method: string,
    rest: string[],
    url: URL,
    reply: (b: unknown) => void,
    res: http.ServerResponse,
  ): Promise<void> {
    const { store } = this.#options;
    const kindText = rest[0] ?? url.searchParams.get('kind') ?? undefined;
    let kind: ConfigKind | undefined;
    if (kindText !== undefined) {
      kind = normalizeKind(kindText);
      if (!kind) throw new HttpError(400, `unknown kind "${kindText}"`);
    }
    const namespace = rest[1] ?? url.searchParams.get('namespace') ?? undefined;
    const name = rest[2] ?? url.searchParams.get('name') ?? undefined;
    if (method === 'DELETE') {
      if (!kind || !namespace || !name)
        throw new HttpError(400, 'DELETE needs /api/config/KIND/NAMESPACE/NAME');
      if (!(await store.delete(kind, namespace, name)))
        throw new HttpError(404, `${kind} ${namespace}/${name} not found`);
      sendJson(res, 200, {
        deleted: { kind, namespace, name },
        version: store.version,
      } satisfies DeleteAnswer);
      return;
    }
    if (kind && namespace && name) {
      const object = store.get(kind, namespace, name);
      if (!object) throw new HttpError(404, `${kind} ${namespace}/${name} not found`);
      reply(object satisfies ConfigObjectAnswer);
      return;
    }
    const items = store.list(kind, namespace).filter((o) => name === undefined || o.metadata.name === name);
    reply({ items } satisfies ConfigListAnswer);
  }

  #configDump(url: URL, res: http.ServerResponse): void {
    const proxy = url.searchParams.get('proxy') ?? url.searchParams.get('proxyID');
    if (!proxy) throw new HttpError(400, 'config_dump needs ?proxy=NODE_ID');
    const streams = this.#options.ads.clientConfig(proxy);
    if (streams.length === 0) throw new HttpError(404, `no connected client with node id "${proxy}"`);
    this.#protoRegistry ??= createXdsRegistry();
    const registry = this.#protoRegistry;
    const answer: ConfigDumpAnswer = {
      proxy,
      streams: streams.map(({ status, resources }) => ({
        status,
        resources: Object.fromEntries(
          [...resources].map(([typeUrl, byName]) => [
            SHORT_TYPES[typeUrl] ?? typeUrl,
            [...byName.values()].map((r) => ({
              name: r.name,
              version: r.version,
              typeUrl: r.typeUrl,
              resource: toJson(r.schema, r.message as never, { registry }),
            })),
          ]),
        ),
      })),
    };
    sendJson(res, 200, answer);
  }
}

function countByKind(store: ConfigStore): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of store.list()) out[o.kind] = (out[o.kind] ?? 0) + 1;
  return out;
}
