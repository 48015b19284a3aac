// A local HTTPS server that speaks the Kubernetes API's list/watch protocol, for tests (no API
// server can run here): lists with a resourceVersion, watches (`?watch=true`) as chunked JSON
// lines of {type, object} from a given resourceVersion, BOOKMARK events for clients that asked with
// allowWatchBookmarks=true, an ERROR event with code 410 (Expired) when the resourceVersion asked
// for was compacted away, API discovery for the groups it serves, server-side apply (PATCH
// application/apply-patch+yaml with fieldManager) and DELETE, behind a bearer token. It records
// every request, so a test can check what a client asked.

import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCertificate, tempDir } from '@shoal/testing';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

interface Resource {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

interface Watcher {
  resource: string;
  namespace: string | undefined;
  res: http.ServerResponse;
  bookmarks: boolean;
}

interface Event {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: string;
  object: KubeObject;
}

export const RESOURCES: Resource[] = [
  { group: '', version: 'v1', plural: 'services', kind: 'Service' },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod' },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice' },
  { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService' },
  { group: 'networking.istio.io', version: 'v1', plural: 'destinationrules', kind: 'DestinationRule' },
  { group: 'networking.istio.io', version: 'v1', plural: 'serviceentries', kind: 'ServiceEntry' },
  { group: 'networking.istio.io', version: 'v1', plural: 'workloadentries', kind: 'WorkloadEntry' },
  { group: 'security.istio.io', version: 'v1', plural: 'peerauthentications', kind: 'PeerAuthentication' },
  { group: 'security.istio.io', version: 'v1', plural: 'authorizationpolicies', kind: 'AuthorizationPolicy' },
  { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', kind: 'HTTPRoute' },
];

const gv = (r: Resource) => (r.group === '' ? r.version : `${r.group}/${r.version}`);
const resourceKey = (r: Resource) => `${gv(r)}/${r.plural}`;

export class KubeApiServer {
  readonly token = randomUUID();
  /** Every request: `METHOD path?query`. */
  readonly requests: string[] = [];
  private readonly tls = kubeCertificate();
  private readonly server = https.createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) =>
    this.handle(req, res),
  );
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly events: Event[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 1000;
  /** Watches from a resourceVersion at or below this are answered 410 Expired. */
  private compacted = 0;
  url = '';

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** A kubeconfig for this server, as `kubectl config view --raw` writes one. */
  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: test\n  cluster:\n    server: ${this.url}\n    certificate-authority-data: ${Buffer.from(this.tls.cert).toString('base64')}`,
      'users:',
      `- name: test\n  user:\n    token: ${this.token}`,
      'contexts:',
      '- name: test\n  context:\n    cluster: test\n    user: test',
      'current-context: test',
      '',
    ].join('\n');
  }

  /** Creates or replaces objects (as a controller would), with their watch events. */
  put(...objects: KubeObject[]): void {
    for (const o of objects) this.upsert(structuredClone(o));
  }

  remove(kind: string, namespace: string, name: string): void {
    const r = RESOURCES.find((x) => x.kind === kind)!;
    const map = this.objects.get(resourceKey(r));
    const o = map?.get(`${namespace}/${name}`);
    if (!o || !map) return;
    map.delete(`${namespace}/${name}`);
    o.metadata.resourceVersion = String(++this.rv);
    this.emit({ rv: this.rv, type: 'DELETED', resource: resourceKey(r), object: o });
  }

  /** Forgets the event history (as etcd compaction does) and ends every watch: clients resume and get 410. */
  compact(): void {
    this.compacted = this.rv;
    this.events.length = 0;
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** Ends every watch without compacting (as an API server restarting does): clients resume where they were. */
  dropWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** The current resourceVersion of the whole store. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Sends a BOOKMARK at the current resourceVersion to every watch that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      const r = RESOURCES.find((x) => resourceKey(x) === w.resource)!;
      w.res.write(
        `${JSON.stringify({ type: 'BOOKMARK', object: { kind: r.kind, apiVersion: gv(r), metadata: { resourceVersion: String(this.rv) } } })}\n`,
      );
    }
  }

  get watchCount(): number {
    return this.watchers.size;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private upsert(o: KubeObject): KubeObject {
    const r = RESOURCES.find((x) => x.kind === o.kind && gv(x) === o.apiVersion);
    if (!r) throw new Error(`the test server does not serve ${o.apiVersion} ${o.kind}`);
    const key = resourceKey(r);
    let map = this.objects.get(key);
    if (!map) this.objects.set(key, (map = new Map()));
    const id = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const previous = map.get(id);
    o.metadata.resourceVersion = String(++this.rv);
    o.metadata.uid = previous?.metadata.uid ?? o.metadata.uid ?? randomUUID();
    o.metadata.creationTimestamp =
      previous?.metadata.creationTimestamp ??
      o.metadata.creationTimestamp ??
      new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if ('spec' in o && previous) {
      const changed = JSON.stringify(previous.spec) !== JSON.stringify(o.spec);
      const generation = (previous.metadata.generation as number | undefined) ?? 1;
      o.metadata.generation = changed ? generation + 1 : generation;
    } else if ('spec' in o) o.metadata.generation ??= 1;
    map.set(id, o);
    this.emit({ rv: this.rv, type: previous ? 'MODIFIED' : 'ADDED', resource: key, object: o });
    return o;
  }

  private emit(e: Event): void {
    this.events.push(e);
    for (const w of this.watchers) {
      if (w.resource === e.resource && (!w.namespace || w.namespace === e.object.metadata.namespace))
        w.res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): undefined {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return status(res, 401, 'Unauthorized', 'Unauthorized');
    const parts = url.pathname.split('/').filter(Boolean);
    // Discovery: /api/v1 and /apis/GROUP/VERSION.
    const discovery = parts[0] === 'api' ? parts.length === 2 : parts[0] === 'apis' && parts.length === 3;
    if (req.method === 'GET' && discovery) {
      const groupVersion = parts[0] === 'api' ? parts[1]! : `${parts[1]}/${parts[2]}`;
      const resources = RESOURCES.filter((r) => gv(r) === groupVersion);
      if (resources.length === 0)
        return status(res, 404, 'NotFound', 'the server could not find the requested resource');
      return json(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion,
        resources: resources.map((r) => ({
          name: r.plural,
          singularName: r.kind.toLowerCase(),
          namespaced: true,
          kind: r.kind,
          verbs: ['delete', 'get', 'list', 'patch', 'update', 'watch'],
        })),
      });
    }
    const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
    const groupVersion = parts[0] === 'api' ? parts[1] : `${parts[1]}/${parts[2]}`;
    const namespace = rest[0] === 'namespaces' ? rest[1] : undefined;
    const [plural, name] = rest[0] === 'namespaces' ? rest.slice(2) : rest;
    const r = RESOURCES.find((x) => gv(x) === groupVersion && x.plural === plural);
    if (!r)
      return status(
        res,
        404,
        'NotFound',
        `the server could not find the requested resource (${url.pathname})`,
      );
    const map = this.objects.get(resourceKey(r)) ?? new Map<string, KubeObject>();
    if (req.method === 'GET' && !name && url.searchParams.get('watch') === 'true')
      return this.watch(r, namespace, url, res);
    if (req.method === 'GET' && !name) {
      const items = [...map.values()].filter((o) => !namespace || o.metadata.namespace === namespace);
      return json(res, 200, {
        kind: `${r.kind}List`,
        apiVersion: gv(r),
        metadata: { resourceVersion: String(this.rv) },
        items,
      });
    }
    if (req.method === 'GET' && name) {
      const o = map.get(`${namespace ?? ''}/${name}`);
      return o ? json(res, 200, o) : status(res, 404, 'NotFound', `${r.plural} "${name}" not found`);
    }
    if (req.method === 'PATCH' && name) {
      this.apply(r, namespace ?? '', name, req, res, url);
      return;
    }
    if (req.method === 'DELETE' && name) {
      if (!map.has(`${namespace ?? ''}/${name}`))
        return status(res, 404, 'NotFound', `${r.plural} "${name}" not found`);
      this.remove(r.kind, namespace ?? '', name);
      return json(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, kind: r.plural },
      });
    }
    status(res, 405, 'MethodNotAllowed', `${req.method} is not supported here`);
  }

  private watch(r: Resource, namespace: string | undefined, url: URL, res: http.ServerResponse): undefined {
    const from = Number(url.searchParams.get('resourceVersion') ?? '0');
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders(); // the API server answers a watch at once, before any event
    if (from > 0 && from <= this.compacted) {
      // The real server answers 200 and sends one ERROR event carrying the 410 status.
      res.end(
        `${JSON.stringify({
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: `too old resource version: ${from} (${this.compacted + 1})`,
            reason: 'Expired',
            code: 410,
          },
        })}\n`,
      );
      return;
    }
    const w: Watcher = {
      resource: resourceKey(r),
      namespace,
      res,
      bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
    };
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
    for (const e of this.events) {
      if (
        e.rv > from &&
        e.resource === w.resource &&
        (!namespace || e.object.metadata.namespace === namespace)
      )
        res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    }
  }

  private apply(
    r: Resource,
    namespace: string,
    name: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ): void {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.headers['content-type'] !== 'application/apply-patch+yaml')
        return status(
          res,
          415,
          'UnsupportedMediaType',
          `${req.headers['content-type']} is not supported here`,
        );
      if (!url.searchParams.get('fieldManager'))
        return status(res, 422, 'Invalid', 'PATCH with application/apply-patch+yaml requires a fieldManager');
      let patch: KubeObject;
      try {
        patch = JSON.parse(body);
      } catch {
        return status(
          res,
          400,
          'BadRequest',
          'the body is not JSON (the test server takes JSON, which is YAML)',
        );
      }
      if (patch.kind !== r.kind || patch.metadata?.name !== name)
        return status(res, 400, 'BadRequest', 'kind or name does not match the URL');
      const existing = this.objects.get(resourceKey(r))?.get(`${namespace}/${name}`);
      const merged: KubeObject = {
        ...(existing ?? {}),
        ...patch,
        metadata: { ...(existing?.metadata ?? {}), ...patch.metadata, namespace, name },
      };
      json(res, existing ? 200 : 201, this.upsert(merged));
    });
  }
}

/** A self-signed certificate for 127.0.0.1 (as API servers serve HTTPS). */
function kubeCertificate(): { key: string; cert: string } {
  const dir = tempDir('kube-tls');
  try {
    const { key, cert } = selfSignedCertificate(dir, 'apiserver', {
      subject: '/CN=kube-apiserver',
      keyType: 'ec',
      extensions: 'subjectAltName=IP:127.0.0.1',
    });
    return { key, cert };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function json(res: http.ServerResponse, code: number, body: unknown): undefined {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(res: http.ServerResponse, code: number, reason: string, message: string): undefined {
  return json(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}
