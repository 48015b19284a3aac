// XdsClient against a real ADS server on 127.0.0.1: node identity, ACK/NACK with version and nonce,
// gRFC A46 partial NACK, does-not-exist timers, SotW deletion (and A53), unsubscribe, ordering.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Code } from '@shoal/rpc';
import { AdsTestServer } from '../../test/ads-test-server.js';
import {
  clusterAny,
  endpointsAny,
  type TestCluster,
  type TestEndpoints,
  testClusterType,
  testEndpointsType,
} from '../../test/test-resource-types.js';
import { WatchRecorder } from '../../test/watch-recorder.js';
import { parseBootstrap } from '../bootstrap.js';
import { CLUSTER_TYPE_URL as CDS, CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS } from '../type-urls.js';
import type { XdsLogger } from './log.js';
import { USER_AGENT_NAME } from './node.js';
import { XdsClient } from './xds-client.js';

interface TestOptions {
  features?: string[];
  dneMs?: number;
  log?: XdsLogger;
  onWatcherError?: (e: unknown) => void;
}

function makeClient(
  server: AdsTestServer,
  { features = [], dneMs = 5000, ...rest }: TestOptions = {},
): XdsClient {
  const bootstrap = parseBootstrap({
    xds_servers: [
      { server_uri: server.address, channel_creds: [{ type: 'insecure' }], server_features: features },
    ],
    node: {
      id: 'sidecar~10.0.0.7~reviews-v1.default~default.svc.cluster.local',
      cluster: 'reviews',
      metadata: { NAMESPACE: 'default', LABELS: { version: 'v1' } },
      locality: { region: 'eu', zone: 'eu-1a', sub_zone: 'rack1' },
    },
  });
  return new XdsClient({
    bootstrap,
    doesNotExistTimeoutMs: dneMs,
    backoff: { baseMs: 50, maxMs: 200 },
    ...rest,
  })
    .registerResourceType(testEndpointsType)
    .registerResourceType(testClusterType);
}

describe('XdsClient', () => {
  let server: AdsTestServer;
  let client: XdsClient;
  beforeEach(async () => {
    server = await new AdsTestServer().start();
  });
  afterEach(async () => {
    await client?.close();
    await server.stop();
  });

  it('sends the node on the first request, delivers updates and ACKs with version and nonce', async () => {
    client = makeClient(server);
    server.set(EDS, '1', { reviews: endpointsAny('reviews', '10.0.0.1:9080') });
    const w = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'reviews', w);
    assert.deepEqual(await w.event(0), {
      kind: 'update',
      value: { cluster: 'reviews', addresses: ['10.0.0.1:9080'] },
    });

    const [first] = server.requests;
    const node = first?.request.node;
    assert.equal(node?.id, 'sidecar~10.0.0.7~reviews-v1.default~default.svc.cluster.local');
    assert.equal(node?.cluster, 'reviews');
    assert.deepEqual(node?.metadata, { NAMESPACE: 'default', LABELS: { version: 'v1' } });
    assert.deepEqual(
      { ...node?.locality },
      { $typeName: 'envoy.config.core.v3.Locality', region: 'eu', zone: 'eu-1a', subZone: 'rack1' },
    );
    assert.equal(node?.userAgentName, USER_AGENT_NAME);
    assert.equal(node?.userAgentVersionType.case, 'userAgentVersion');
    assert.ok(node?.clientFeatures.includes('xds.config.resource-in-sotw'));
    assert.deepEqual(first?.request.resourceNames, ['reviews']);
    assert.equal(first?.request.versionInfo, '');
    assert.equal(first?.request.responseNonce, '');

    const ack = await server.nextRequest((r) => r.request.versionInfo === '1');
    assert.equal(ack.request.node, undefined, 'node only on the first request of a stream');
    assert.equal(ack.request.responseNonce, '1');
    assert.equal(ack.request.errorDetail, undefined);

    server.set(EDS, '2', { reviews: endpointsAny('reviews', '10.0.0.1:9080', '10.0.0.2:9080') });
    assert.deepEqual((await w.event(1)).kind, 'update');
    await server.nextRequest((r) => r.request.versionInfo === '2' && r.request.responseNonce === '2');

    // Same bytes again under a new version: ACKed, but watchers hear nothing.
    server.set(EDS, '3', { reviews: endpointsAny('reviews', '10.0.0.1:9080', '10.0.0.2:9080') });
    await server.nextRequest((r) => r.request.versionInfo === '3');
    await client.idle();
    assert.equal(w.events.length, 2);
    const [snap] = client.dump();
    assert.equal(snap?.status, 'acked');
    assert.equal(snap?.version, '3');
  });

  it('NACKs with the previous version, the nonce and every error, and keeps the last good value', async () => {
    client = makeClient(server);
    server.set(EDS, 'v1', { reviews: endpointsAny('reviews', '10.0.0.1:9080') });
    const w = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'reviews', w);
    await w.event(0);
    await server.nextRequest((r) => r.request.versionInfo === 'v1');

    server.set(EDS, 'v2', { reviews: endpointsAny('reviews', '10.0.0.1:0', '10.0.0.2:70000') });
    const nack = await server.nextRequest((r) => r.request.errorDetail !== undefined);
    assert.equal(nack.request.versionInfo, 'v1');
    assert.equal(nack.request.responseNonce, '2');
    assert.equal(nack.request.errorDetail?.code, Code.INVALID_ARGUMENT);
    assert.equal(
      nack.request.errorDetail?.message,
      'cluster_load_assignment[reviews]: endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: must be 1..65535, got 0; ' +
        'cluster_load_assignment[reviews]: endpoints[0].lb_endpoints[1].endpoint.address.socket_address.port_value: must be 1..65535, got 70000',
    );
    const event = await w.event(1);
    assert.equal(event.kind, 'error');
    assert.match(
      event.kind === 'error' ? event.error.rawMessage : '',
      /^xDS server 127\.0\.0\.1:\d+: NACK eds version v2: cluster_load_assignment\[reviews\]: endpoints\[0\]/,
    );
    const [snap] = client.dump();
    assert.equal(snap?.status, 'nacked');
    assert.equal(snap?.version, 'v1', 'the last good version stays');
    assert.deepEqual(
      Buffer.from(snap?.raw?.value ?? []),
      Buffer.from(endpointsAny('reviews', '10.0.0.1:9080').value),
    );
    assert.equal(snap?.failure?.version, 'v2');
    assert.match(snap?.failure?.details ?? '', /got 70000/);

    // A late watcher gets the last good value and the error, in that order.
    const late = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'reviews', late);
    assert.deepEqual(await late.event(0), {
      kind: 'update',
      value: { cluster: 'reviews', addresses: ['10.0.0.1:9080'] },
    });
    assert.equal((await late.event(1)).kind, 'error');

    // Fixed: ACKed again and the failure clears.
    server.set(EDS, 'v3', { reviews: endpointsAny('reviews', '10.0.0.3:9080') });
    assert.equal((await w.event(2)).kind, 'update');
    await server.nextRequest((r) => r.request.versionInfo === 'v3' && !r.request.errorDetail);
    assert.equal(client.dump()[0]?.failure, undefined);
  });

  it('applies the valid resources of a partly invalid response (gRFC A46)', async () => {
    client = makeClient(server);
    const good = new WatchRecorder<TestEndpoints>();
    const bad = new WatchRecorder<TestEndpoints>();
    server.set(EDS, '1', { a: endpointsAny('a', '10.0.0.1:80'), b: endpointsAny('b', '10.0.0.2:80') });
    client.watch(EDS, 'a', good);
    client.watch(EDS, 'b', bad);
    await good.event(0);
    await bad.event(0);
    server.set(EDS, '2', { a: endpointsAny('a', '10.0.0.9:80'), b: endpointsAny('b', '10.0.0.2:0') });
    assert.deepEqual(await good.event(1), {
      kind: 'update',
      value: { cluster: 'a', addresses: ['10.0.0.9:80'] },
    });
    assert.equal((await bad.event(1)).kind, 'error');
    const nack = await server.nextRequest((r) => r.request.errorDetail !== undefined);
    assert.equal(nack.request.versionInfo, '1');
    assert.doesNotMatch(nack.request.errorDetail?.message ?? '', /\[a\]/);
    const byName = new Map(client.dump().map((s) => [s.name, s]));
    assert.equal(byName.get('a')?.status, 'acked');
    assert.equal(byName.get('a')?.version, '2');
    assert.equal(byName.get('b')?.status, 'nacked');
    assert.equal(byName.get('b')?.version, '1');
  });

  it('reports does-not-exist when the timer expires, and a later arrival as an update', async () => {
    client = makeClient(server, { dneMs: 150 });
    server.set(EDS, '1', {});
    const w = new WatchRecorder<TestEndpoints>();
    const started = Date.now();
    client.watch(EDS, 'missing', w);
    assert.equal((await w.event(0)).kind, 'does-not-exist');
    assert.ok(Date.now() - started >= 140, 'not before the timer');
    assert.equal(client.dump()[0]?.status, 'does-not-exist');
    server.set(EDS, '2', { missing: endpointsAny('missing', '10.0.0.1:80') });
    assert.equal((await w.event(1)).kind, 'update');
    assert.equal(client.dump()[0]?.status, 'acked');
  });

  it('cancels the timer when the resource arrives', async () => {
    client = makeClient(server, { dneMs: 100 });
    server.set(EDS, '1', { here: endpointsAny('here', '10.0.0.1:80') });
    const w = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'here', w);
    await w.event(0);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(w.describe(), 'update');
  });

  it('treats a cluster missing from a SotW CDS response as deleted', async () => {
    client = makeClient(server, { dneMs: 300 });
    server.set(CDS, '1', { a: clusterAny('a'), b: clusterAny('b') });
    const a = new WatchRecorder<TestCluster>();
    const b = new WatchRecorder<TestCluster>();
    const never = new WatchRecorder<TestCluster>();
    client.watch(CDS, 'a', a);
    client.watch(CDS, 'b', b);
    await a.event(0);
    await b.event(0);
    client.watch(CDS, 'never', never);
    // Absent from the answer, but never seen: only its timer may call it non-existent.
    await server.nextRequest(
      (r) => r.request.resourceNames.includes('never') && r.request.versionInfo === '1',
    );
    await client.idle();
    assert.equal(never.events.length, 0);
    assert.equal((await never.event(0)).kind, 'does-not-exist');
    server.set(CDS, '2', { a: clusterAny('a') });
    assert.equal((await b.event(1)).kind, 'does-not-exist');
    await client.idle();
    assert.equal(a.describe(), 'update');
    assert.equal(client.dump().find((s) => s.name === 'b')?.status, 'does-not-exist');
    // EDS is not SotW-complete: absence means nothing.
    server.set(EDS, '1', { x: endpointsAny('x', '10.0.0.1:80') });
    const x = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'x', x);
    await x.event(0);
    server.set(EDS, '2', {});
    await server.nextRequest((r) => r.request.typeUrl === EDS && r.request.versionInfo === '2');
    await client.idle();
    assert.equal(x.describe(), 'update');
  });

  it('keeps a deleted resource with ignore_resource_deletion (gRFC A53)', async () => {
    const logs: string[] = [];
    client = makeClient(server, {
      features: ['xds_v3', 'ignore_resource_deletion'],
      log: (_level, m) => logs.push(m),
    });
    server.set(CDS, '1', { a: clusterAny('a'), b: clusterAny('b') });
    const b = new WatchRecorder<TestCluster>();
    client.watch(CDS, 'a', new WatchRecorder());
    client.watch(CDS, 'b', b);
    await b.event(0);
    server.set(CDS, '2', { a: clusterAny('a') });
    await server.nextRequest((r) => r.request.versionInfo === '2');
    await client.idle();
    assert.equal(b.describe(), 'update');
    assert.equal(client.dump().find((s) => s.name === 'b')?.status, 'acked');
    assert.ok(logs.some((m) => /ignoring the deletion of cluster\[b\] \(ignore_resource_deletion\)/.test(m)));
  });

  it('unsubscribes when the last watcher cancels, and skips callbacks queued for it', async () => {
    client = makeClient(server);
    server.set(EDS, '1', { a: endpointsAny('a', '10.0.0.1:80'), b: endpointsAny('b', '10.0.0.2:80') });
    const a1 = new WatchRecorder<TestEndpoints>();
    const cancelA1 = client.watch(EDS, 'a', a1);
    const cancelA2 = client.watch(EDS, 'a', new WatchRecorder());
    client.watch(EDS, 'b', new WatchRecorder());
    await a1.event(0);
    cancelA1();
    cancelA2();
    const req = await server.nextRequest((r) => r.request.resourceNames.join() === 'b');
    assert.equal(req.request.typeUrl, EDS);
    assert.deepEqual(
      client.dump().map((s) => s.name),
      ['b'],
    );
    // Cancelled before its queued replay ran: nothing is delivered.
    const late = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'b', late)();
    await client.idle();
    assert.equal(late.events.length, 0);
  });

  it('runs callbacks one at a time, in order, even when they are async or throw', async () => {
    const errors: unknown[] = [];
    client = makeClient(server, { onWatcherError: (e) => errors.push(e) });
    const order: string[] = [];
    let running = 0;
    const slow = {
      async onUpdate(v: TestEndpoints) {
        assert.equal(running++, 0, 'no overlap');
        await new Promise((r) => setTimeout(r, 30));
        order.push(v.addresses.join());
        running--;
        if (v.addresses[0] === '10.0.0.2:80') throw new Error('watcher bug');
      },
      onError() {},
      onDoesNotExist() {},
    };
    client.watch(EDS, 'a', slow);
    // Responses arrive and are ACKed faster than the watcher runs: its callbacks queue up.
    for (let i = 1; i <= 4; i++) {
      server.set(EDS, String(i), { a: endpointsAny('a', `10.0.0.${i}:80`) });
      await server.nextRequest((r) => r.request.versionInfo === String(i));
    }
    assert.ok(order.length < 4, 'callbacks still queued after the last ACK');
    await client.idle();
    assert.deepEqual(order, ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80']);
    assert.match(String(errors[0]), /watcher bug/);
  });
});
