import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code, type RpcError } from '@shoal/rpc';
import { seededRandom } from '@shoal/testing';
import { envoy, LISTENER_TYPE_URL } from '@shoal/xds';
import { Greeter } from '../../test/gen/shoal/meshtest/v1/greeter_pb.js';
import { type GreeterServer, startGreeters, stopAll } from '../../test/greeter-servers.js';
import {
  aggregateCluster,
  clientListener,
  edsCluster,
  faultFilter,
  faultOverride,
  loadAssignment,
  prefix,
  type RouteInit,
  route,
  routeConfiguration,
} from '../../test/xds-fixtures.js';
import { StaticResourceSource } from '../config/static-resource-source.js';
import type { CallDecision } from './call-decision.js';
import { createMeshClient, meshTransportOf } from './create-mesh-client.js';

const L = 'greeter:50051';

describe('MeshTransport with real servers', () => {
  let servers: GreeterServer[];
  const port = (i: number) => servers[i]!.port;

  before(async () => {
    servers = await startGreeters('a', 'b', 'c');
  });
  after(() => stopAll(servers));

  /** A source with one listener; clusters `ca` (server a), `cb` (b), `cab` (a and b) and `cc` (c). */
  function source(routes: RouteInit[], listener = clientListener(L)): StaticResourceSource {
    const s = new StaticResourceSource();
    const nack = s.set(
      listener,
      routeConfiguration(L, [{ name: 'vh', domains: [L], routes }]),
      edsCluster('ca'),
      edsCluster('cb'),
      edsCluster('cab'),
      edsCluster('cc'),
      loadAssignment('ca', [{ endpoints: [{ port: port(0), labels: { version: 'v1' } }] }]),
      loadAssignment('cb', [{ endpoints: [{ port: port(1), labels: { version: 'v2' } }] }]),
      loadAssignment('cab', [{ endpoints: [{ port: port(0) }, { port: port(1) }] }]),
      loadAssignment('cc', [{ endpoints: [{ port: port(2) }] }]),
    );
    assert.equal(nack, undefined);
    return s;
  }

  function client(s: StaticResourceSource, decisions: CallDecision[] = []) {
    return createMeshClient(Greeter, `xds:///${L}`, {
      xds: s,
      random: seededRandom(11),
      onDecision: (d) => decisions.push(d),
    });
  }

  it('routes by weight, and reports each decision', async () => {
    const decisions: CallDecision[] = [];
    const c = client(
      source([
        route(prefix(), [
          ['ca', 3],
          ['cb', 1],
        ]),
      ]),
      decisions,
    );
    const counts: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const r = await c.sayHello({ name: 'x' });
      counts[r.server] = (counts[r.server] ?? 0) + 1;
    }
    assert.ok(counts.a! > 120 && counts.a! < 180, JSON.stringify(counts));
    assert.equal(counts.a! + counts.b!, 200);
    const d = decisions.at(-1)!;
    assert.equal(d.route?.index, 0);
    assert.ok(d.cluster === 'ca' || d.cluster === 'cb');
    assert.equal(d.endpoint, `127.0.0.1:${d.cluster === 'ca' ? port(0) : port(1)}`);
    assert.match(
      d.why.join('; '),
      /route "routes\[0\]" \(routes\[0\]\) matched \/shoal.meshtest.v1.Greeter\/SayHello; cluster "c[ab]" drawn by weight [31]\/4; endpoint 127\.0\.0\.1:\d+ by round_robin \(priority 0, locality \/\/\)/,
    );
    assert.equal(meshTransportOf(c).lastDecision, d);
    meshTransportOf(c).close();
  });

  it('builds the last decision only when read when no one listens, with the same content', async () => {
    const routes = (): RouteInit[] => [
      route(prefix(), [
        ['ca', 3],
        ['cb', 1],
      ]),
    ];
    const decisions: CallDecision[] = [];
    const heard = client(source(routes()), decisions);
    const quiet = createMeshClient(Greeter, `xds:///${L}`, {
      xds: source(routes()),
      random: seededRandom(11),
    });
    for (let i = 0; i < 5; i++) {
      assert.equal((await quiet.sayHello({})).server, (await heard.sayHello({})).server);
      assert.deepEqual(meshTransportOf(quiet).lastDecision, decisions.at(-1));
    }
    // Built once: reading it again gives the same object.
    assert.equal(meshTransportOf(quiet).lastDecision, meshTransportOf(quiet).lastDecision);
    meshTransportOf(heard).close();
    meshTransportOf(quiet).close();
  });

  it("keeps a retried attempt's steps in its own lazily built decision", async () => {
    servers[0]!.failWith = Code.UNAVAILABLE;
    try {
      const policy = {
        retryOn: 'unavailable',
        numRetries: 3,
        retryBackOff: { baseInterval: durationFromMs(1) },
      };
      const c = createMeshClient(Greeter, `xds:///${L}`, {
        xds: source([route(prefix(), 'cab', { retryPolicy: policy })]),
        random: seededRandom(11),
      });
      let retried: CallDecision | undefined;
      for (let i = 0; i < 6 && retried === undefined; i++) {
        assert.equal((await c.sayHello({})).server, 'b');
        const d = meshTransportOf(c).lastDecision!;
        if (d.attempt > 1) retried = d;
      }
      assert.ok(retried, 'a call went to the failing server first and was retried');
      assert.equal(retried.why.length, 4, retried.why.join('; '));
      assert.match(retried.why[2]!, /^attempt 1 failed with UNAVAILABLE; retrying in \d+ms$/);
      assert.match(retried.why[3]!, new RegExp(`^endpoint 127\\.0\\.0\\.1:${port(1)} by round_robin`));
      meshTransportOf(c).close();
    } finally {
      servers[0]!.failWith = undefined;
    }
  });

  it('routes by header and by method', async () => {
    const c = client(
      source([
        route(
          {
            pathSpecifier: { case: 'prefix', value: '' },
            headers: [{ name: 'x-user', headerMatchSpecifier: { case: 'exactMatch', value: 'beta' } }],
          },
          'cb',
        ),
        route({ pathSpecifier: { case: 'path', value: '/shoal.meshtest.v1.Greeter/Farewell' } }, 'cc'),
        route(prefix(), 'ca'),
      ]),
    );
    assert.equal((await c.sayHello({}, { headers: { 'x-user': 'beta' } })).server, 'b');
    assert.equal((await c.sayHello({})).server, 'a');
    assert.equal((await c.farewell({})).server, 'c');
    meshTransportOf(c).close();
  });

  it('caps the deadline by the route max_stream_duration (gRFC A31)', async () => {
    const c = client(
      source([route(prefix(), 'ca', { maxStreamDuration: { maxStreamDuration: durationFromMs(300) } })]),
    );
    const started = Date.now();
    await assert.rejects(c.sayHello({ delayMs: 3000 }), (e: RpcError) => e.code === Code.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - started < 2000);
    assert.equal(meshTransportOf(c).lastDecision?.timeoutMs, 300);
    // The app's shorter deadline wins; a fast call passes.
    await assert.rejects(
      c.sayHello({ delayMs: 400 }, { timeoutMs: 20 }),
      (e: RpcError) => e.code === Code.DEADLINE_EXCEEDED,
    );
    assert.equal((await c.sayHello({ delayMs: 1 })).server, 'a');
    meshTransportOf(c).close();
  });

  it('uses grpc_timeout_header_max over max_stream_duration, and the listener default', async () => {
    const withHeaderMax = client(
      source([
        route(prefix(), 'ca', {
          maxStreamDuration: {
            maxStreamDuration: durationFromMs(5000),
            grpcTimeoutHeaderMax: durationFromMs(30),
          },
        }),
      ]),
    );
    await assert.rejects(
      withHeaderMax.sayHello({ delayMs: 300 }),
      (e: RpcError) => e.code === Code.DEADLINE_EXCEEDED,
    );
    meshTransportOf(withHeaderMax).close();
    const listenerDefault = client(
      source([route(prefix(), 'ca')], clientListener(L, { maxStreamDurationMs: 30 })),
    );
    await assert.rejects(
      listenerDefault.sayHello({ delayMs: 300 }),
      (e: RpcError) => e.code === Code.DEADLINE_EXCEEDED,
    );
    meshTransportOf(listenerDefault).close();
  });

  it('retries retryable codes on another pick and says which attempt it is (gRFC A44)', async () => {
    servers[0]!.failWith = Code.UNAVAILABLE;
    try {
      const decisions: CallDecision[] = [];
      const c = client(
        source([
          route(prefix(), 'cab', {
            retryPolicy: {
              retryOn: 'unavailable',
              numRetries: 3,
              retryBackOff: { baseInterval: durationFromMs(1) },
            },
          }),
        ]),
        decisions,
      );
      const attemptHeaders: (string | undefined)[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await c.sayHello({});
        assert.equal(r.server, 'b');
        attemptHeaders.push(r.headers['grpc-previous-rpc-attempts']);
      }
      const retried = decisions.filter((d) => d.attempt > 1);
      assert.ok(retried.length > 0, 'some calls went to a first and were retried');
      assert.equal(attemptHeaders.filter((h) => h === '1').length, retried.length);
      meshTransportOf(c).close();
      // Not retryable: the error comes back at once.
      const noRetry = client(source([route(prefix(), 'ca', { retryPolicy: { retryOn: 'cancelled' } })]));
      await assert.rejects(noRetry.sayHello({}), (e: RpcError) => e.code === Code.UNAVAILABLE);
      meshTransportOf(noRetry).close();
    } finally {
      servers[0]!.failWith = undefined;
    }
  });

  it('injects faults from the listener filter, overridden per route (gRFC A33, A39)', async () => {
    const abortAll = {
      abort: {
        errorType: { case: 'grpcStatus' as const, value: Code.PERMISSION_DENIED },
        percentage: { numerator: 100 },
      },
    };
    const s = source(
      [
        route({ pathSpecifier: { case: 'path', value: '/shoal.meshtest.v1.Greeter/Farewell' } }, 'ca', {
          typedPerFilterConfig: { 'envoy.filters.http.fault': faultOverride({}) },
        }),
        route(prefix(), 'ca'),
      ],
      clientListener(L, { filters: [faultFilter(abortAll)] }),
    );
    const c = client(s);
    await assert.rejects(
      c.sayHello({}),
      (e: RpcError) => e.code === Code.PERMISSION_DENIED && /fault injection/.test(e.message),
    );
    assert.equal((await c.farewell({})).server, 'a', 'the route override has no abort');
    meshTransportOf(c).close();
  });

  it('ends a call at once with OK and no message on an abort with status OK (gRFC A33)', async () => {
    const abortOk = {
      abort: { errorType: { case: 'grpcStatus' as const, value: 0 }, percentage: { numerator: 100 } },
    };
    const c = client(source([route(prefix(), 'ca')], clientListener(L, { filters: [faultFilter(abortOk)] })));
    const callsBefore = servers[0]!.calls;
    const reply = await c.sayHello({});
    assert.equal(reply.server, '', 'an empty reply');
    const streamed: unknown[] = [];
    for await (const r of c.sayHelloStream({})) streamed.push(r);
    assert.deepEqual(streamed, []);
    assert.equal(servers[0]!.calls, callsBefore, 'nothing reached the server');
    meshTransportOf(c).close();
  });

  it('delays calls by fault injection', async () => {
    const delay = {
      delay: {
        faultDelaySecifier: { case: 'fixedDelay' as const, value: durationFromMs(80) },
        percentage: { numerator: 100 },
      },
    };
    const c = client(source([route(prefix(), 'ca')], clientListener(L, { filters: [faultFilter(delay)] })));
    const started = Date.now();
    await c.sayHello({});
    assert.ok(Date.now() - started >= 75);
    meshTransportOf(c).close();
  });

  it('opens the circuit at max_requests (gRFC A32)', async () => {
    const s = source([route(prefix(), 'ca')]);
    s.set(edsCluster('ca', { maxRequests: 1 }));
    const c = client(s);
    const slow = c.sayHello({ delayMs: 150 });
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(
      c.sayHello({}),
      (e: RpcError) => e.code === Code.UNAVAILABLE && /circuit breaker/.test(e.message),
    );
    assert.equal((await slow).server, 'a');
    assert.equal((await c.sayHello({})).server, 'a', 'the slot was released');
    meshTransportOf(c).close();
  });

  it('ejects an endpoint after consecutive errors and brings it back (gRFC A50)', async () => {
    const s = source([route(prefix(), 'cab')]);
    s.set(
      edsCluster('cab', {
        outlierDetection: {
          consecutive5xx: 2,
          interval: durationFromMs(50),
          baseEjectionTime: durationFromMs(200),
          maxEjectionPercent: 50,
          enforcingSuccessRate: 0,
        },
      }),
    );
    const c = client(s);
    servers[0]!.failWith = Code.INTERNAL;
    try {
      let failures = 0;
      for (let i = 0; i < 8; i++) {
        try {
          await c.sayHello({});
        } catch {
          failures++;
        }
      }
      assert.equal(failures, 2, 'a is ejected after its second failure');
      assert.deepEqual(meshTransportOf(c).clusterState().cab?.ejected, [`127.0.0.1:${port(0)}`]);
    } finally {
      servers[0]!.failWith = undefined;
    }
    await new Promise((r) => setTimeout(r, 350));
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await c.sayHello({})).server);
    assert.deepEqual([...seen].sort(), ['a', 'b']);
    meshTransportOf(c).close();
  });

  it('keeps one endpoint per hash key with ring_hash and a header hash policy (gRFC A42)', async () => {
    const s = source([
      route(prefix(), 'cab', {
        hashPolicy: [{ policySpecifier: { case: 'header', value: { headerName: 'x-session' } } }],
      }),
    ]);
    s.set(edsCluster('cab', { lbPolicy: envoy.Cluster_LbPolicy.RING_HASH }));
    const c = client(s);
    for (const session of ['s1', 's2', 's3', 's4']) {
      const seen = new Set<string>();
      for (let i = 0; i < 5; i++)
        seen.add((await c.sayHello({}, { headers: { 'x-session': session } })).server);
      assert.equal(seen.size, 1, `session ${session} stuck to one endpoint`);
    }
    meshTransportOf(c).close();
  });

  it('swaps config at run time: new routes apply to the next call', async () => {
    const s = source([route(prefix(), 'ca')]);
    const c = client(s);
    assert.equal((await c.sayHello({})).server, 'a');
    s.set(routeConfiguration(L, [{ name: 'vh', domains: [L], routes: [route(prefix(), 'cc')] }]));
    assert.equal((await c.sayHello({})).server, 'c');
    meshTransportOf(c).close();
  });

  it('sends no new calls to a removed endpoint and lets calls in flight finish', async () => {
    const s = source([route(prefix(), 'cab')]);
    const c = client(s);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await c.sayHello({})).server);
    assert.deepEqual([...seen].sort(), ['a', 'b']);
    const inFlight = [c.sayHello({ delayMs: 100 }), c.sayHello({ delayMs: 100 })];
    await new Promise((r) => setTimeout(r, 20));
    s.set(loadAssignment('cab', [{ endpoints: [{ port: port(1) }] }]));
    const finished = await Promise.all(inFlight);
    assert.deepEqual(finished.map((r) => r.server).sort(), ['a', 'b'], 'both in-flight calls completed');
    for (let i = 0; i < 6; i++) assert.equal((await c.sayHello({})).server, 'b');
    meshTransportOf(c).close();
  });

  it('fails over from one leaf of an aggregate cluster to the next (gRFC A37)', async () => {
    const s = source([route(prefix(), 'agg')]);
    s.set(aggregateCluster('agg', ['ca', 'cb']));
    const c = client(s);
    assert.deepEqual(
      new Set(await Promise.all([1, 2, 3].map(() => c.sayHello({}).then((r) => r.server)))),
      new Set(['a']),
    );
    s.set(loadAssignment('ca', [{ endpoints: [{ port: port(0), health: envoy.HealthStatus.UNHEALTHY }] }]));
    assert.equal((await c.sayHello({})).server, 'b');
    assert.equal(meshTransportOf(c).lastDecision?.priority, 1);
    meshTransportOf(c).close();
  });

  it('streams server responses through the mesh', async () => {
    const c = client(source([route(prefix(), 'cb')]));
    const got: string[] = [];
    for await (const r of c.sayHelloStream({})) got.push(`${r.server}${r.index}`);
    assert.deepEqual(got, ['b0', 'b1', 'b2']);
    meshTransportOf(c).close();
  });

  it('waits for the first config, then fails clearly when the listener does not exist', async () => {
    const s = new StaticResourceSource();
    const c = client(s);
    const pending = c.sayHello({});
    s.remove(LISTENER_TYPE_URL, L);
    await assert.rejects(
      pending,
      (e: RpcError) =>
        e.code === Code.UNAVAILABLE && /listener "greeter:50051" does not exist/.test(e.message),
    );
    await assert.rejects(c.sayHello({}), (e: RpcError) => e.code === Code.UNAVAILABLE);
    meshTransportOf(c).close();
  });

  it('fails calls with no matching route, a missing cluster or no endpoints with UNAVAILABLE', async () => {
    const s = source([
      route({ pathSpecifier: { case: 'path', value: '/shoal.meshtest.v1.Greeter/Farewell' } }, 'nowhere'),
      route({ pathSpecifier: { case: 'path', value: '/shoal.meshtest.v1.Greeter/SayHelloStream' } }, 'empty'),
    ]);
    s.set(edsCluster('empty'), loadAssignment('empty', []));
    s.remove('type.googleapis.com/envoy.config.cluster.v3.Cluster', 'nowhere');
    const decisions: CallDecision[] = [];
    const c = client(s, decisions);
    await assert.rejects(
      c.sayHello({}),
      /no route in virtual host "vh" matches \/shoal.meshtest.v1.Greeter\/SayHello/,
    );
    assert.equal(decisions.at(-1)?.error?.startsWith('no route'), true);
    await assert.rejects(c.farewell({}), /cluster "nowhere" does not exist/);
    await assert.rejects(async () => {
      for await (const _ of c.sayHelloStream({})) break;
    }, /no usable endpoint in cluster "empty"/);
    meshTransportOf(c).close();
  });

  it('needs a bootstrap when no xDS source is given', {
    skip: process.env.GRPC_XDS_BOOTSTRAP !== undefined || process.env.GRPC_XDS_BOOTSTRAP_CONFIG !== undefined,
  }, () => {
    assert.throws(() => createMeshClient(Greeter, `xds:///${L}`, {}), /GRPC_XDS_BOOTSTRAP/);
  });

  it('rejects bad targets with a clear error', () => {
    assert.throws(
      () => createMeshClient(Greeter, 'dns:///x:1', { xds: new StaticResourceSource() }),
      (e: RpcError) => e.code === Code.INVALID_ARGUMENT && /unknown scheme/.test(e.message),
    );
  });
});
