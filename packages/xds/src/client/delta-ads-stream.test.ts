// Incremental xDS (Envoy xDS protocol, "Incremental xDS") against a real delta ADS server:
// subscribe/unsubscribe as they happen, per-resource versions, removed_resources (deletion and
// never-existing names), NACK by nonce with gRFC A46 partial acceptance, and a reconnect that sends
// initial_resource_versions so unchanged resources are not sent again.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Code } from '@shoal/rpc';
import { AdsTestServer } from '../../test/ads-test-server.js';
import { resourceVersion } from '../../test/delta-test-session.js';
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
import { XdsClient } from './xds-client.js';

async function until(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('delta ADS stream', () => {
  let server: AdsTestServer;
  let client: XdsClient;
  beforeEach(async () => {
    server = await new AdsTestServer().start();
    client = new XdsClient({
      protocol: 'delta',
      bootstrap: parseBootstrap({
        xds_servers: [{ server_uri: server.address, channel_creds: [{ type: 'insecure' }] }],
        node: { id: 'delta-test' },
      }),
      doesNotExistTimeoutMs: 5000,
    })
      .registerResourceType(testEndpointsType)
      .registerResourceType(testClusterType);
  });
  afterEach(async () => {
    await client.close();
    await server.stop();
  });

  it('subscribes as watches come and go, ACKs by nonce, and keeps per-resource versions', async () => {
    const a = endpointsAny('a', '10.0.0.1:80');
    server.set(EDS, 's1', { a, b: endpointsAny('b', '10.0.0.2:80') });
    const wa = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'a', wa);
    assert.deepEqual(await wa.event(0), {
      kind: 'update',
      value: { cluster: 'a', addresses: ['10.0.0.1:80'] },
    });
    const cancelB = client.watch(EDS, 'b', new WatchRecorder());
    await until(() => server.deltaRequests.length >= 4, 'ACK of b');
    const [first, ackA, subB, ackB] = server.deltaRequests.map((r) => r.request);
    assert.equal(first?.node?.id, 'delta-test');
    assert.deepEqual(first?.resourceNamesSubscribe, ['a']);
    assert.deepEqual(first?.initialResourceVersions, {});
    assert.equal(ackA?.responseNonce, '1');
    assert.equal(ackA?.errorDetail, undefined);
    assert.equal(ackA?.node, undefined);
    assert.deepEqual(subB?.resourceNamesSubscribe, ['b']);
    assert.equal(ackB?.responseNonce, '2');
    assert.equal(client.dump().find((s) => s.name === 'a')?.version, resourceVersion(a));

    cancelB();
    await until(
      () => server.deltaRequests.some((r) => r.request.resourceNamesUnsubscribe.includes('b')),
      'unsubscribe',
    );
    server.set(EDS, 's2', { a: endpointsAny('a', '10.0.0.9:80') });
    assert.deepEqual(await wa.event(1), {
      kind: 'update',
      value: { cluster: 'a', addresses: ['10.0.0.9:80'] },
    });
  });

  it('reads removed_resources as deletion, and as does-not-exist for a name never sent', async () => {
    server.set(CDS, '1', { a: clusterAny('a') });
    const a = new WatchRecorder<TestCluster>();
    const nope = new WatchRecorder<TestCluster>();
    client.watch(CDS, 'a', a);
    client.watch(CDS, 'nope', nope);
    await a.event(0);
    assert.equal((await nope.event(0)).kind, 'does-not-exist', 'at once, no timer');
    server.set(CDS, '2', {});
    assert.equal((await a.event(1)).kind, 'does-not-exist');
    assert.deepEqual(
      client.dump().map((s) => s.status),
      ['does-not-exist', 'does-not-exist'],
    );
  });

  it('NACKs the invalid resources of a response and applies the valid ones (gRFC A46)', async () => {
    server.set(EDS, '1', { a: endpointsAny('a', '10.0.0.1:80'), b: endpointsAny('b', '10.0.0.2:80') });
    const wa = new WatchRecorder<TestEndpoints>();
    const wb = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'a', wa);
    client.watch(EDS, 'b', wb);
    await wa.event(0);
    await wb.event(0);
    server.set(EDS, '2', { a: endpointsAny('a', '10.0.0.3:80'), b: endpointsAny('b', '10.0.0.2:0') });
    assert.equal((await wa.event(1)).kind, 'update');
    const error = await wb.event(1);
    assert.ok(error.kind === 'error');
    assert.equal(error.error.code, Code.UNAVAILABLE);
    await until(() => server.deltaRequests.some((r) => r.request.errorDetail), 'NACK');
    const nack = server.deltaRequests.find((r) => r.request.errorDetail)!.request;
    assert.equal(nack.errorDetail?.code, Code.INVALID_ARGUMENT);
    assert.match(
      nack.errorDetail?.message ?? '',
      /^cluster_load_assignment\[b\]: endpoints\[0\]\.lb_endpoints\[0\].*got 0$/,
    );
    assert.notEqual(nack.responseNonce, '');
    const b = client.dump().find((s) => s.name === 'b');
    assert.equal(b?.status, 'nacked');
    assert.equal(b?.version, resourceVersion(endpointsAny('b', '10.0.0.2:80')), 'last good version kept');
  });

  it('sends initial_resource_versions on reconnect, so unchanged resources are not re-sent', async () => {
    const a = endpointsAny('a', '10.0.0.1:80');
    server.set(EDS, '1', { a });
    server.set(CDS, '1', { c: clusterAny('c') });
    const wa = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'a', wa);
    client.watch(CDS, 'c', new WatchRecorder());
    await wa.event(0);
    await until(() => client.dump().every((s) => s.status === 'acked'), 'both acked');
    await server.restart();
    await until(
      () => server.deltaRequests.some((r) => r.stream > 0 && r.request.typeUrl === EDS),
      'resubscribe',
    );
    const again = server.deltaRequests.find((r) => r.stream > 0 && r.request.typeUrl === EDS)!.request;
    assert.deepEqual(again.resourceNamesSubscribe, ['a']);
    assert.deepEqual(again.initialResourceVersions, { a: resourceVersion(a) });
    await until(
      () => server.deltaRequests.filter((r) => r.stream > 0 && r.request.responseNonce).length >= 2,
      'ACKs',
    );
    await client.idle();
    assert.ok(
      wa.events.every((e, i) => (i === 0 ? e.kind === 'update' : e.kind === 'error')),
      wa.describe(),
    );
    server.set(EDS, '2', { a: endpointsAny('a', '10.0.0.7:80') });
    const next = await wa.event(wa.events.length);
    assert.deepEqual(next, { kind: 'update', value: { cluster: 'a', addresses: ['10.0.0.7:80'] } });
  });
});
