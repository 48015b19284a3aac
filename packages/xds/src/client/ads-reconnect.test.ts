// gRFC A57 and the reconnect backoff on a real ADS server: a control plane restarted five times
// in a row (in place, and with downtimes up to 0.9 s) is found again within 1 s of coming back each
// time, with the default backoff (it resets after every stream that received a response and probes
// quickly for one base delay, so it never grows across restarts), while watchers keep
// their cached values; after 8 s down, a changed config arrives within 5 s of the return; a vanished control plane is a connectivity error reported to watchers, values
// kept, with backoff growing between attempts; re-subscription carries the last versions.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Code } from '@shoal/rpc';
import { AdsTestServer } from '../../test/ads-test-server.js';
import {
  clusterAny,
  endpointsAny,
  type TestEndpoints,
  testClusterType,
  testEndpointsType,
} from '../../test/test-resource-types.js';
import { WatchRecorder } from '../../test/watch-recorder.js';
import { parseBootstrap } from '../bootstrap.js';
import { CLUSTER_TYPE_URL as CDS, CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS } from '../type-urls.js';
import type { BackoffOptions } from './backoff.js';
import { createServerTransport } from './server-transport.js';
import { XdsClient } from './xds-client.js';

function makeClient(server: AdsTestServer, backoff?: BackoffOptions, log?: (m: string) => void): XdsClient {
  const bootstrap = parseBootstrap({
    xds_servers: [{ server_uri: server.address, channel_creds: [{ type: 'insecure' }] }],
    node: { id: 'reconnect-test' },
  });
  return new XdsClient({
    bootstrap,
    doesNotExistTimeoutMs: 2000,
    ...(backoff && { backoff }),
    ...(log && { log: (_level, m) => log(m) }),
  })
    .registerResourceType(testEndpointsType)
    .registerResourceType(testClusterType);
}

describe('ADS reconnect', () => {
  let server: AdsTestServer;
  let client: XdsClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server.stop();
  });

  it('reconnects within 1 s after each of five control-plane restarts, serving cached values', async () => {
    server = await new AdsTestServer().start();
    server.set(EDS, '7', { reviews: endpointsAny('reviews', '10.0.0.1:9080') });
    server.set(CDS, 'c1', { reviews: clusterAny('reviews') });
    const c = makeClient(server); // default backoff: 1 s, ×1.6, up to 4 s, full jitter
    client = c;
    const eds = new WatchRecorder<TestEndpoints>();
    c.watch(EDS, 'reviews', eds);
    c.watch(CDS, 'reviews', new WatchRecorder());
    await eds.event(0);
    await server.nextRequest((r) => r.request.typeUrl === CDS && r.request.versionInfo === 'c1');

    for (let restart = 1; restart <= 5; restart++) {
      const streamsBefore = server.streams.length;
      const requestsBefore = server.requests.length;
      // Restarts in place and with the downtime of a restarting process.
      await server.restart([0, 100, 250, 500, 900][restart - 1]);
      const upAt = Date.now();
      const first = await server.nextRequest((r) => r.stream.id >= streamsBefore, requestsBefore);
      const elapsed = Date.now() - upAt;
      assert.ok(elapsed < 1000, `restart ${restart}: reconnected after ${elapsed} ms`);
      // Re-subscribed with the last accepted version, the node on the stream's first request.
      assert.ok(first.request.node, `restart ${restart}: node on the first request`);
      const resubscribed = await server.nextRequest(
        (r) => r.stream.id >= streamsBefore && r.request.typeUrl === EDS && r.request.responseNonce === '',
        requestsBefore,
      );
      assert.equal(resubscribed.request.versionInfo, '7');
      assert.deepEqual(resubscribed.request.resourceNames, ['reviews']);
      // The cache served throughout: still ACKED with its value.
      const snap = c.dump().find((s) => s.typeUrl === EDS);
      assert.equal(snap?.status, 'acked');
      assert.equal(snap?.version, '7');
    }
    await c.idle();
    // The same resource re-sent after each restart is no update; the refused immediate retries were
    // connectivity errors (gRFC A57), and nothing was ever called non-existent.
    assert.equal(eds.events[0]?.kind, 'update');
    assert.ok(
      eds.events.slice(1).every((e) => e.kind === 'error'),
      eds.describe(),
    );
  });

  it('reports a vanished control plane to watchers, keeps values, and backs off between attempts', async () => {
    server = await new AdsTestServer().start();
    server.set(EDS, '1', { a: endpointsAny('a', '10.0.0.1:80') });
    const logs: string[] = [];
    client = makeClient(server, { baseMs: 100, multiplier: 2, jitter: 0 }, (m) => logs.push(m));
    const w = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'a', w);
    await w.event(0);
    await server.nextRequest((r) => r.request.versionInfo === '1');
    await server.stop();
    // The stream that had responses ends: reconnect at once, refused, then errors to watchers.
    const error = await w.event(1);
    assert.equal(error.kind, 'error');
    if (error.kind === 'error') {
      assert.equal(error.error.code, Code.UNAVAILABLE);
      assert.match(
        error.error.rawMessage,
        /^xDS server 127\.0\.0\.1:\d+: stream closed: .*(ECONNREFUSED|refused)/,
      );
    }
    await w.event(3, 3000); // more failed attempts, each reported
    const numbers = (re: RegExp) => logs.flatMap((m) => re.exec(m)?.[1] ?? []).map(Number);
    const delays = () => numbers(/retrying (\d+) ms after the last attempt/);
    for (const deadline = Date.now() + 3000; delays().length < 3 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(client.dump()[0]?.status, 'acked', 'the last good value stays');
    // Quick probes for one base delay (a restart in place), then gRPC backoff growing from the base.
    const probes = numbers(/probing (\d+) ms after the last attempt/);
    assert.ok(probes.length >= 2 && probes.every((d) => d === 25), `probes: ${probes}`);
    assert.deepEqual(delays().slice(0, 3), [100, 200, 400]);
    // Back: the stream resumes, the same resource brings no update, errors stop.
    await server.start();
    await server.nextRequest((r) => r.request.versionInfo === '1' && r.request.responseNonce !== '');
    server.set(EDS, '2', { a: endpointsAny('a', '10.0.0.2:80') });
    const next = await w.event(w.events.length);
    assert.equal(next.kind, 'update');
  });

  it('picks up a config changed during a long outage within 5 s of the control plane coming back', async () => {
    // 8 s down: long enough for the default backoff to reach its 4 s cap (1 + 1.6 + 2.56 s).
    server = await new AdsTestServer().start();
    server.set(EDS, '1', { a: endpointsAny('a', '10.0.0.1:80') });
    const c = makeClient(server); // default backoff
    client = c;
    const w = new WatchRecorder<TestEndpoints>();
    c.watch(EDS, 'a', w);
    await w.event(0);
    await server.stop();
    await new Promise((r) => setTimeout(r, 8000));
    server.set(EDS, '2', { a: endpointsAny('a', '10.0.0.2:80') });
    await server.start();
    const backAt = Date.now();
    for (let i = w.events.length; ; i++) {
      const e = await w.event(i, 6000);
      if (e.kind === 'update') break;
    }
    const elapsed = Date.now() - backAt;
    assert.ok(elapsed < 5000, `the new config arrived ${elapsed} ms after the control plane came back`);
    assert.equal(c.dump()[0]?.version, '2');
  });

  it('starts does-not-exist timers only once the connection is up (gRFC A57)', async () => {
    server = await new AdsTestServer().start();
    server.autoRespond = false; // a server that says nothing: only the connection can start timers
    const bootstrap = parseBootstrap({
      xds_servers: [{ server_uri: server.address, channel_creds: [{ type: 'insecure' }] }],
    });
    const make = (reportAfterMs: number | undefined) =>
      new XdsClient({
        bootstrap,
        doesNotExistTimeoutMs: 100,
        // The real transport, with the news of its connection held back (a slow connect) or lost.
        createTransport: (s, up) =>
          createServerTransport(s, () =>
            reportAfterMs === undefined ? undefined : setTimeout(up, reportAfterMs),
          ),
      }).registerResourceType(testEndpointsType);
    const slow = make(400);
    const never = make(undefined);
    try {
      const started = Date.now();
      const w = new WatchRecorder<TestEndpoints>();
      slow.watch(EDS, 'missing', w);
      const lost = new WatchRecorder<TestEndpoints>();
      never.watch(EDS, 'missing', lost);
      assert.equal((await w.event(0)).kind, 'does-not-exist');
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 480, `timer ran before the connection was up (${elapsed} ms)`);
      await never.idle();
      assert.equal(lost.events.length, 0, lost.describe());
      assert.equal(never.dump()[0]?.status, 'requested');
    } finally {
      await slow.close();
      await never.close();
    }
  });

  it('does not call a resource missing while the control plane is down non-existent', async () => {
    server = await new AdsTestServer().start();
    const port = server.address;
    await server.stop();
    const bootstrap = parseBootstrap({
      xds_servers: [{ server_uri: port, channel_creds: [{ type: 'insecure' }] }],
    });
    client = new XdsClient({ bootstrap, doesNotExistTimeoutMs: 150, backoff: { baseMs: 50, maxMs: 100 } });
    client.registerResourceType(testEndpointsType);
    const w = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'a', w);
    await new Promise((r) => setTimeout(r, 500));
    await client.idle();
    assert.ok(w.events.length > 0 && w.events.every((e) => e.kind === 'error'), w.describe());
    assert.equal(client.dump()[0]?.status, 'requested');
  });
});
