// The gRFC A78 hooks of the XdsClient against a real ADS server on 127.0.0.1: valid and invalid
// resources per response, server failures (a dead server, then one that answers), and the gauges
// (connected, resources by authority, type and cache state).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { AdsTestServer } from '../../test/ads-test-server.js';
import { endpointsAny, type TestEndpoints, testEndpointsType } from '../../test/test-resource-types.js';
import { WatchRecorder } from '../../test/watch-recorder.js';
import { parseBootstrap } from '../bootstrap.js';
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS } from '../type-urls.js';
import type { XdsClientGauges, XdsClientMetrics } from './client-metrics.js';
import { XdsClient } from './xds-client.js';

class Recorder implements XdsClientMetrics {
  updates: Array<[string, string, number, number]> = [];
  failures: string[] = [];
  gauges: XdsClientGauges | undefined;
  detached = false;
  resourceUpdates(server: string, typeUrl: string, valid: number, invalid: number): void {
    this.updates.push([server, typeUrl, valid, invalid]);
  }
  serverFailure(server: string): void {
    this.failures.push(server);
  }
  attach(client: XdsClientGauges): () => void {
    this.gauges = client;
    return () => (this.detached = true);
  }
}

function client(address: string, metrics: XdsClientMetrics): XdsClient {
  const bootstrap = parseBootstrap({
    xds_servers: [{ server_uri: address, channel_creds: [{ type: 'insecure' }] }],
    node: { id: 'metrics-test' },
  });
  return new XdsClient({
    bootstrap,
    metrics,
    doesNotExistTimeoutMs: 5000,
    backoff: { baseMs: 50, maxMs: 100 },
  }).registerResourceType(testEndpointsType);
}

describe('XdsClient metrics hooks (gRFC A78)', () => {
  let server: AdsTestServer | undefined;
  let xds: XdsClient | undefined;
  afterEach(async () => {
    await xds?.close();
    await server?.stop();
  });

  it('counts valid and invalid resources and reports the cache states', async () => {
    server = await new AdsTestServer().start();
    const m = new Recorder();
    xds = client(server.address, m);
    assert.ok(m.gauges, 'attached at construction');
    server.set(EDS, '1', {
      good: endpointsAny('good', '10.0.0.1:80'),
      bad: endpointsAny('bad', '10.0.0.1:70000'),
    });
    const good = new WatchRecorder<TestEndpoints>();
    const bad = new WatchRecorder<TestEndpoints>();
    xds.watch(EDS, 'good', good);
    xds.watch(EDS, 'bad', bad);
    xds.watch(EDS, 'missing', new WatchRecorder<TestEndpoints>());
    await good.event(0);
    await bad.event(0);
    const total = m.updates.reduce((a, [, , v, i]) => [a[0]! + v, a[1]! + i], [0, 0]);
    assert.ok(total[0]! >= 1 && total[1]! >= 1, `valid/invalid ${total}`);
    assert.ok(m.updates.every(([s, t]) => s === server!.address && t === EDS));
    assert.deepEqual(m.gauges.serverConnections(), [{ server: server.address, connected: true }]);
    const states = Object.fromEntries(
      m.gauges.resourceCounts().map((r) => [`${r.authority} ${r.cacheState}`, r.count]),
    );
    assert.deepEqual(states, { '#old acked': 1, '#old nacked': 1, '#old requested': 1 });
    await xds.close();
    assert.equal(m.detached, true);
    xds = undefined;
  });

  it('counts a server failure once until the server answers again', async () => {
    server = await new AdsTestServer().start();
    server.set(EDS, '1', { good: endpointsAny('good', '10.0.0.1:80') });
    const m = new Recorder();
    xds = client(server.address, m);
    const w = new WatchRecorder<TestEndpoints>();
    xds.watch(EDS, 'good', w);
    await w.event(0);
    const connected = () => m.gauges!.serverConnections()[0]?.connected;
    assert.equal(connected(), true);
    assert.deepEqual(m.failures, []);
    const restarted = server.restart(500); // down for 0.5 s: several reconnects fail meanwhile
    const until = async (ok: () => boolean) => {
      const deadline = Date.now() + 4000;
      while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    await until(() => connected() === false);
    assert.deepEqual(m.failures, [server.address], 'one failure while it is down');
    await restarted;
    await until(() => connected() === true);
    assert.equal(connected(), true);
    assert.deepEqual(m.failures, [server.address]);
  });
});
