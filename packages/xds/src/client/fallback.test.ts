// gRFC A71 fallback with two real ADS servers: an unreachable primary makes the client use the
// next server for resources it has no value for; the primary answering again takes over and the
// fallback stream closes; with everything cached, a primary outage does not fall back, unless the
// bootstrap says fallback_on_reachability_only (gRFC A95; control-plane replicas).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AdsTestServer } from '../../test/ads-test-server.js';
import { endpointsAny, type TestEndpoints, testEndpointsType } from '../../test/test-resource-types.js';
import { WatchRecorder } from '../../test/watch-recorder.js';
import { parseBootstrap } from '../bootstrap.js';
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS } from '../type-urls.js';
import { XdsClient } from './xds-client.js';

describe('xDS server fallback (gRFC A71)', () => {
  let primary: AdsTestServer;
  let secondary: AdsTestServer;
  let client: XdsClient;
  const makeClient = (reachabilityOnly: boolean) =>
    new XdsClient({
      bootstrap: parseBootstrap({
        xds_servers: [primary.address, secondary.address].map((uri) => ({
          server_uri: uri,
          channel_creds: [{ type: 'insecure' }],
        })),
        ...(reachabilityOnly && { fallback_on_reachability_only: true }),
      }),
      backoff: { baseMs: 100, maxMs: 200 },
    }).registerResourceType(testEndpointsType);
  beforeEach(async () => {
    primary = await new AdsTestServer().start();
    secondary = await new AdsTestServer().start();
    primary.set(EDS, 'p1', { a: endpointsAny('a', '10.0.0.1:80') });
    secondary.set(EDS, 's1', { a: endpointsAny('a', '10.0.0.2:80') });
    client = makeClient(false);
  });
  afterEach(async () => {
    await client.close();
    await primary.stop();
    await secondary.stop();
  });

  it('uses the next server while the primary is unreachable, and the primary again once it answers', async () => {
    await primary.stop();
    const w = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'a', w);
    let seen = 0;
    const nextUpdate = async () => {
      for (;;) {
        const e = await w.event(seen++);
        if (e.kind === 'update') return e.value;
      }
    };
    assert.deepEqual((await nextUpdate()).addresses, ['10.0.0.2:80']);
    assert.equal(client.dump()[0]?.serverUri, secondary.address);
    assert.equal(secondary.streams.length, 1);

    await primary.start();
    assert.deepEqual((await nextUpdate()).addresses, ['10.0.0.1:80']);
    assert.equal(client.dump()[0]?.serverUri, primary.address);
    // The fallback stream is closed: its server sees no more requests from a new stream.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(secondary.streams.length, 1);
    const served = secondary.requests.length;
    secondary.set(EDS, 's2', { a: endpointsAny('a', '10.0.0.3:80') });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(secondary.requests.length, served, 'the fallback stream is gone');
    assert.equal(client.dump()[0]?.version, 'p1');
  });

  it('keeps serving the cache, without falling back, when every watched resource has a value', async () => {
    const w = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'a', w);
    assert.equal((await w.event(0)).kind, 'update');
    await primary.stop();
    assert.equal((await w.event(1)).kind, 'error');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(secondary.streams.length, 0);
    assert.equal(client.dump()[0]?.status, 'acked');
  });

  it('falls back at once with everything cached when told fallback_on_reachability_only (gRFC A95)', async () => {
    await client.close();
    client = makeClient(true);
    const w = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'a', w);
    assert.equal((await w.event(0)).kind, 'update');
    const stoppedAt = Date.now();
    await primary.stop();
    for (let i = 1; ; i++) {
      const e = await w.event(i);
      if (e.kind === 'update') {
        assert.deepEqual(e.value.addresses, ['10.0.0.2:80']);
        break;
      }
    }
    assert.equal(client.dump()[0]?.serverUri, secondary.address);
    assert.ok(Date.now() - stoppedAt < 2000, 'moved without waiting for a backoff');
  });
});
