// VirtualService features beyond gRPC's (issue 9 item 7) through Shoal's control plane, seen by a
// Shoal mesh client and by @grpc/grpc-js-xds side by side, against plain @grpc/grpc-js backends
// that echo what reached them (the :path, :authority and metadata). Header operations, rewrites
// and mirrors are applied by Shoal's client; grpc-js-xds ignores those fields (gRFC A28) but must
// still ACK the routes and keep calling. directResponse and delegate are honoured by both.
// The VirtualServices are Istio YAML as the Istio docs write them (the shared Istio testdata has
// none of these fields).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { createMeshClient, type MeshClient, meshTransportOf } from '@shoal/mesh';
import { Code, Metadata, RpcError } from '@shoal/rpc';
import { parseBootstrap } from '@shoal/xds';
import {
  SimpleRequestSchema,
  type SimpleResponse,
  SimpleResponseSchema,
} from '../gen/grpc/testing/messages_pb.js';
import { TestService } from '../gen/grpc/testing/test_pb.js';
import {
  applyConfig,
  bootstrapJson,
  ControlPlane,
  eventually,
  rawUnaryMethod,
  registryYaml,
  reviewsVs,
} from './harness.js';

const TESTDATA = new URL('../../../../shared/testdata/istio/', import.meta.url);
const HOST = 'reviews.default.svc.cluster.local';
const UNARY = '/grpc.testing.TestService/UnaryCall';
const CACHEABLE = '/grpc.testing.TestService/CacheableUnaryCall';
const NODE_ID = 'sidecar~127.0.0.1~vs-features.default~default.svc.cluster.local';

interface Seen {
  path: string;
  host: string;
  metadata: Record<string, string>;
}

interface Backend {
  name: string;
  port: number;
  server: grpc.Server;
  seen: Seen[];
}

/** A grpc-js server for TestService's two unary methods (raw bytes): records and echoes each call. */
async function startBackend(name: string): Promise<Backend> {
  const server = new grpc.Server();
  const seen: Seen[] = [];
  const handler = (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    const metadata: Record<string, string> = {};
    for (const k of Object.keys(call.metadata.getMap()))
      metadata[k] = call.metadata.get(k).map(String).join(', ');
    const s = { path: call.getPath(), host: call.getHost(), metadata };
    seen.push(s);
    const header = new grpc.Metadata();
    header.set('x-internal', 'secret');
    header.set('x-app', name);
    call.sendMetadata(header);
    const reply = create(SimpleResponseSchema, { serverId: name, hostname: `${s.path} ${s.host}` });
    callback(null, Buffer.from(toBinary(SimpleResponseSchema, reply)));
  };
  const methods = { UnaryCall: rawUnaryMethod(UNARY), CacheableUnaryCall: rawUnaryMethod(CACHEABLE) };
  server.addService(methods as never, {
    UnaryCall: handler,
    CacheableUnaryCall: handler,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { name, port, server, seen };
}

/** One grpc-js-xds call of UnaryCall: the backend's name, or the error's gRPC code. */
function jsCall(client: grpc.Client, headers: Record<string, string> = {}): Promise<string | grpc.status> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(headers)) md.set(k, v);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      UNARY,
      (b: Buffer) => b,
      (b: Buffer) => fromBinary(SimpleResponseSchema, b),
      Buffer.from(toBinary(SimpleRequestSchema, create(SimpleRequestSchema))),
      md,
      { deadline: Date.now() + 5000 },
      (err, res) => resolve(err ? err.code : (res as SimpleResponse).serverId),
    );
  });
}

describe('VirtualService header operations, rewrites, mirrors, directResponse and delegate', () => {
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0 });
  const backends: Backend[] = [];
  let admin = '';
  let js: grpc.Client;
  let shoal: MeshClient<typeof TestService>;

  const apply = (yaml: string) => applyConfig(admin, cp.adminToken, yaml);
  const backend = (name: string) => backends.find((b) => b.name === name)!;
  /** One Shoal call of UnaryCall: the backend's name (or the error's code) and the response headers. */
  const shoalCall = async (headers: Record<string, string> = {}) => {
    let header = new Metadata();
    try {
      const r = await shoal.unaryCall({}, { headers, onHeader: (h) => (header = h), timeoutMs: 5000 });
      return { who: r.serverId as string | Code, header };
    } catch (err) {
      return { who: RpcError.from(err).code as string | Code, header };
    }
  };
  /** Both clients see the routes of `yaml` once `ready` holds for each. */
  const routesLive = async (yaml: string, ready: (who: string | number) => boolean, headers = {}) => {
    await apply(yaml);
    await eventually(async () => ready((await shoalCall(headers)).who), 5000, 'Shoal client routes');
    await eventually(async () => ready(await jsCall(js, headers)), 5000, 'grpc-js-xds routes');
  };
  const rdsAcked = async () => {
    const clients = (await (await fetch(`${admin}/debug/syncz`)).json()) as {
      clients: { nodeId: string; types: Record<string, { state: string }> }[];
    };
    return clients.clients.find((c) => c.nodeId === NODE_ID)?.types.RDS?.state;
  };

  before(async () => {
    const { xds: x, admin: a } = await cp.start();
    admin = `http://${a.host}:${a.port}`;
    for (const name of ['v1', 'v2', 'v3']) backends.push(await startBackend(name));
    await apply(
      `${registryYaml(HOST, 9080, backends)}\n---\n${readFileSync(new URL('samples-bookinfo-networking-destination-rule-all.yaml', TESTDATA), 'utf8')}`,
    );
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = bootstrapJson(x.port, NODE_ID);
    xds.register();
    js = new grpc.Client('xds:///reviews:9080', grpc.credentials.createInsecure());
    shoal = createMeshClient(TestService, 'xds:///reviews:9080', {
      bootstrap: parseBootstrap({
        xds_servers: [{ server_uri: `127.0.0.1:${x.port}`, channel_creds: [{ type: 'insecure' }] }],
        node: { id: 'shoal-consumer', metadata: { NAMESPACE: 'default' } },
      }),
    });
  });

  after(async () => {
    js?.close();
    if (shoal) meshTransportOf(shoal).close();
    for (const b of backends) b.server.forceShutdown();
    await cp.stop(200);
    // grpc-js-xds's xDS client keeps retrying the stopped control plane and cannot be closed.
    setTimeout(() => process.exit(), 1000).unref();
  });

  it('header operations and rewrites: applied by the Shoal client; grpc-js-xds ACKs and ignores them', async () => {
    await routesLive(
      reviewsVs(`  - match: [{ uri: { exact: ${UNARY} } }]
    rewrite: { uri: ${CACHEABLE}, authority: reviews.internal }
    headers:
      request: { set: { x-tenant: acme }, add: { x-trace-tag: mesh }, remove: [x-debug] }
      response: { set: { x-served-by: shoal-mesh }, remove: [x-internal] }
    route: [{ destination: { host: reviews, subset: v1 } }]`),
      (who) => who === 'v1',
    );
    const v1 = backend('v1');
    v1.seen.length = 0;
    const { who, header } = await shoalCall({ 'x-debug': '1', 'x-trace-tag': 'app' });
    assert.equal(who, 'v1');
    const seen = v1.seen.at(-1)!;
    assert.equal(seen.path, CACHEABLE);
    assert.equal(seen.host, 'reviews.internal');
    assert.equal(seen.metadata['x-tenant'], 'acme');
    assert.equal(seen.metadata['x-trace-tag'], 'app, mesh');
    assert.equal(seen.metadata['x-debug'], undefined);
    assert.equal(header.get('x-served-by'), 'shoal-mesh');
    assert.equal(header.get('x-internal'), undefined);
    assert.equal(header.get('x-app'), 'v1');
    // grpc-js-xds: the route config is ACKed and routes; the operations are not its to apply.
    assert.equal(await jsCall(js, { 'x-debug': '1' }), 'v1');
    const byJs = v1.seen.at(-1)!;
    assert.equal(byJs.path, UNARY);
    assert.equal(byJs.metadata['x-debug'], '1');
    assert.equal(byJs.metadata['x-tenant'], undefined);
    assert.equal(await rdsAcked(), 'SYNCED');
  });

  it('mirror: the Shoal client shadows calls to the mirror subset, whose failures never reach the caller', async () => {
    const vs = (extra: string) =>
      reviewsVs(`  - route: [{ destination: { host: reviews, subset: v1 } }]
    mirror: { host: reviews, subset: v2 }
${extra}`);
    await routesLive(vs(''), (who) => who === 'v1');
    const v2 = backend('v2');
    const settle = () => new Promise((r) => setTimeout(r, 300));
    await settle(); // shadows of the calls above land late: fire and forget
    v2.seen.length = 0;
    for (let i = 0; i < 20; i++) assert.equal((await shoalCall()).who, 'v1');
    await eventually(async () => v2.seen.length >= 20, 3000, '20 shadow calls on v2');
    assert.equal(v2.seen.length, 20);
    assert.ok(
      v2.seen.every((s) => s.host === 'reviews-shadow:9080' && s.path === UNARY),
      JSON.stringify(v2.seen[0]),
    );
    // grpc-js-xds ACKs the mirror policy and sends no shadow calls (gRFC A28 ignores it).
    v2.seen.length = 0;
    for (let i = 0; i < 10; i++) assert.equal(await jsCall(js), 'v1');
    await settle();
    assert.equal(v2.seen.length, 0);
    assert.equal(await rdsAcked(), 'SYNCED');
    // A failing mirror (its backend gone) changes nothing for the caller.
    v2.server.forceShutdown();
    for (let i = 0; i < 10; i++) assert.equal((await shoalCall()).who, 'v1');
    // mirrorPercentage: about that share of calls is shadowed (v3 as the mirror now).
    await apply(vs('    mirrorPercentage: { value: 25 }').replace('subset: v2 }', 'subset: v3 }'));
    const v3 = backend('v3');
    await eventually(
      async () => {
        await shoalCall();
        return v3.seen.length > 0;
      },
      5000,
      'a shadow call on v3',
    );
    v3.seen.length = 0;
    for (let i = 0; i < 400; i++) await shoalCall();
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(v3.seen.length > 60 && v3.seen.length < 140, `${v3.seen.length} of 400 mirrored at 25%`);
  });

  it('directResponse: both clients end matching calls with the status’s gRPC code, calling no one', async () => {
    await routesLive(
      reviewsVs(`  - match: [{ headers: { end-user: { exact: blocked } } }]
    directResponse: { status: 403 }
  - match: [{ headers: { end-user: { exact: maintenance } } }]
    directResponse: { status: 503, body: { string: "down for maintenance" } }
  - route: [{ destination: { host: reviews, subset: v1 } }]`),
      (who) => who === grpc.status.PERMISSION_DENIED,
      { 'end-user': 'blocked' },
    );
    const v1 = backend('v1');
    const calls = v1.seen.length;
    assert.equal((await shoalCall({ 'end-user': 'blocked' })).who, Code.PERMISSION_DENIED);
    assert.equal(await jsCall(js, { 'end-user': 'blocked' }), grpc.status.PERMISSION_DENIED);
    assert.equal((await shoalCall({ 'end-user': 'maintenance' })).who, Code.UNAVAILABLE);
    assert.equal(await jsCall(js, { 'end-user': 'maintenance' }), grpc.status.UNAVAILABLE);
    assert.equal(v1.seen.length, calls, 'no backend was called');
    assert.equal((await shoalCall()).who, 'v1');
    assert.equal(await jsCall(js), 'v1');
    assert.equal(await rdsAcked(), 'SYNCED');
  });

  it('delegate: the delegate VirtualService’s routes apply under the root route’s match, for both clients', async () => {
    await routesLive(
      `${reviewsVs(`  - name: jason
    match: [{ headers: { end-user: { exact: jason } } }]
    delegate: { name: reviews-jason, namespace: default }
  - route: [{ destination: { host: reviews, subset: v1 } }]`)}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews-jason, namespace: default }
spec:
  http:
  - match: [{ uri: { prefix: /grpc.testing.TestService/ } }]
    route: [{ destination: { host: reviews, subset: v3 } }]`,
      (who) => who === 'v3',
      { 'end-user': 'jason' },
    );
    assert.equal((await shoalCall({ 'end-user': 'jason' })).who, 'v3');
    assert.equal(await jsCall(js, { 'end-user': 'jason' }), 'v3');
    assert.equal((await shoalCall()).who, 'v1');
    assert.equal(await jsCall(js), 'v1');
  });
});
