// The same xDS scenarios driven by @grpc/grpc-js-xds's client and by Shoal's interop client,
// on one Shoal control plane and one config: both distributions must land within tolerance of
// the configured weights (and so agree with each other).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Code } from '@shoal/rpc';
import {
  apply,
  type Backend,
  ControlPlane,
  GrpcJsXdsWorker,
  resultCount,
  type ShoalClient,
  serviceYaml,
  shares,
  startBackends,
  startShoalClient,
  statsWhen,
  subsetsRule,
  summary,
  virtualService,
  withinPoints,
} from './scenario-harness.js';

describe('xDS interop scenarios: grpc-js-xds and Shoal on the same config', () => {
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0 });
  let xdsPort = 0;
  let backends: Backend[] = [];
  const shoalClients: ShoalClient[] = [];
  let grpcJs: GrpcJsXdsWorker | undefined;
  const backend = (id: string) => backends.find((b) => b.id === id) as Backend;

  before(async () => {
    xdsPort = (await cp.start()).xds.port;
    backends = await startBackends(['a1', 'a2', 'a3']);
    grpcJs = new GrpcJsXdsWorker(xdsPort);
  });

  after(async () => {
    await grpcJs?.stop();
    await Promise.all(shoalClients.map((c) => c.close()));
    await Promise.all(backends.map((b) => b.process.stop()));
    await cp.stop(200);
  });

  /** Both clients on `target`: grpc-js-xds's counts over `calls`, Shoal's first matching window. */
  const both = async (
    target: string,
    calls: number,
    want: Record<string, number>,
    points: number,
    metadata: Record<string, string> = {},
  ) => {
    const shoal = await startShoalClient(
      xdsPort,
      target,
      { metadata: new Map([['UnaryCall', Object.entries(metadata)]]) },
      200,
    );
    shoalClients.push(shoal);
    const s = await statsWhen(
      shoal.stats,
      calls,
      (r) => r.numFailures === 0 && withinPoints(r.rpcsByPeer, want, points),
    );
    const g = grpcJs as GrpcJsXdsWorker;
    // Warm up until grpc-js-xds has the config, then count.
    await g.counts(target, 20, metadata);
    const counted = await g.counts(target, calls, metadata);
    assert.equal(counted.failures, 0, 'grpc-js-xds calls failed');
    assert.ok(
      withinPoints(counted.counts, want, points),
      `grpc-js-xds ${JSON.stringify(shares(counted.counts))} vs want ${JSON.stringify(want)}; Shoal ${JSON.stringify(summary(s))}`,
    );
    return { shoal: s.rpcsByPeer, grpcJs: counted.counts };
  };

  it('round_robin: both spread evenly over three backends', async () => {
    await apply(
      cp,
      serviceYaml(
        'rr',
        8080,
        ['a1', 'a2', 'a3'].map((id) => ({ backend: backend(id) })),
      ),
    );
    await both('xds:///rr:8080', 300, { a1: 33.3, a2: 33.3, a3: 33.3 }, 6);
  });

  it('traffic_splitting: both split 70/20/10 by VirtualService weights', async () => {
    await apply(
      cp,
      [
        serviceYaml('split', 8080, [
          { backend: backend('a1'), labels: { version: 'v1' } },
          { backend: backend('a2'), labels: { version: 'v2' } },
          { backend: backend('a3'), labels: { version: 'v3' } },
        ]),
        subsetsRule('split', ['v1', 'v2', 'v3']),
        virtualService(
          'split',
          `    - route:
        - { destination: { host: split, subset: v1 }, weight: 70 }
        - { destination: { host: split, subset: v2 }, weight: 20 }
        - { destination: { host: split, subset: v3 }, weight: 10 }`,
        ),
      ].join('\n---\n'),
    );
    // 1,000 calls put the 6-point tolerance at about 4 standard deviations of a 70% share.
    await both('xds:///split:8080', 1000, { a1: 70, a2: 20, a3: 10 }, 6);
  });

  it('header_matching: both send matching calls to v2 only, others to v1', async () => {
    await apply(
      cp,
      [
        serviceYaml('hdr', 8080, [
          { backend: backend('a1'), labels: { version: 'v1' } },
          { backend: backend('a2'), labels: { version: 'v2' } },
        ]),
        subsetsRule('hdr', ['v1', 'v2']),
        virtualService(
          'hdr',
          `    - match: [{ headers: { xds_md: { exact: exact_match } } }]
      route: [{ destination: { host: hdr, subset: v2 } }]
    - route: [{ destination: { host: hdr, subset: v1 } }]`,
        ),
      ].join('\n---\n'),
    );
    await both('xds:///hdr:8080', 100, { a2: 100 }, 0, { xds_md: 'exact_match' });
    await both('xds:///hdr:8080', 100, { a1: 100 }, 0, { xds_md: 'other' });
  });

  it('path_matching: both send EmptyCall to v2 and UnaryCall to v1 by exact and prefix paths', async () => {
    await apply(
      cp,
      [
        serviceYaml('path', 8080, [
          { backend: backend('a1'), labels: { version: 'v1' } },
          { backend: backend('a2'), labels: { version: 'v2' } },
        ]),
        subsetsRule('path', ['v1', 'v2']),
        virtualService(
          'path',
          `    - match: [{ uri: { exact: /grpc.testing.TestService/EmptyCall } }]
      route: [{ destination: { host: path, subset: v2 } }]
    - match: [{ uri: { prefix: /grpc.testing.TestService/Unary } }]
      route: [{ destination: { host: path, subset: v1 } }]`,
        ),
      ].join('\n---\n'),
    );
    const shoal = await startShoalClient(
      xdsPort,
      'xds:///path:8080',
      { types: ['EmptyCall', 'UnaryCall'] },
      200,
    );
    shoalClients.push(shoal);
    const s = await statsWhen(
      shoal.stats,
      100,
      (r) => r.numFailures === 0 && r.rpcsByMethod.EmptyCall?.rpcsByPeer.a2 === 50,
    );
    assert.deepEqual(summary(s), {
      rpcsByPeer: { a1: 50, a2: 50 },
      numFailures: 0,
      rpcsByMethod: { EmptyCall: { a2: 50 }, UnaryCall: { a1: 50 } },
    });
    const g = grpcJs as GrpcJsXdsWorker;
    await g.counts('xds:///path:8080', 10);
    assert.deepEqual(await g.counts('xds:///path:8080', 50, {}, 'EmptyCall'), {
      counts: { a2: 50 },
      failures: 0,
      codes: {},
    });
    assert.deepEqual(await g.counts('xds:///path:8080', 50, {}, 'UnaryCall'), {
      counts: { a1: 50 },
      failures: 0,
      codes: {},
    });
  });

  it('timeout: both end calls the backend holds at the VirtualService timeout with DEADLINE_EXCEEDED', async () => {
    await apply(
      cp,
      [
        serviceYaml('to', 8080, [{ backend: backend('a3') }]),
        virtualService('to', '    - route: [{ destination: { host: to } }]\n      timeout: 1s'),
      ].join('\n---\n'),
    );
    const hold = { 'rpc-behavior': 'sleep-4' };
    const shoal = await startShoalClient(xdsPort, 'xds:///to:8080', {
      metadata: new Map([['UnaryCall', Object.entries(hold)]]),
      timeoutSec: 10,
    });
    shoalClients.push(shoal);
    const s = await statsWhen(shoal.stats, 20, (r) => r.numFailures === 20);
    assert.deepEqual(s.rpcsByPeer, {});
    assert.ok((await resultCount(shoal.stats, 'UNARY_CALL', Code.DEADLINE_EXCEEDED)) >= 20);
    assert.equal(await resultCount(shoal.stats, 'UNARY_CALL', Code.OK), 0);
    const g = grpcJs as GrpcJsXdsWorker;
    assert.deepEqual((await g.counts('xds:///to:8080', 10)).failures, 0, 'calls that do not sleep pass');
    const start = Date.now();
    const held = await g.counts('xds:///to:8080', 20, hold);
    assert.deepEqual(held, { counts: {}, failures: 20, codes: { [Code.DEADLINE_EXCEEDED]: 20 } });
    // 20 calls, 10 at a time, each cut at 1 s: about 2 s, where the 4 s sleep would take 8.
    assert.ok(Date.now() - start < 3900, `took ${Date.now() - start} ms`);
  });

  it('fault_injection: both abort about 30% of calls with UNAVAILABLE', async () => {
    await apply(
      cp,
      [
        serviceYaml('fault', 8080, [{ backend: backend('a1') }]),
        virtualService(
          'fault',
          `    - fault: { abort: { grpcStatus: UNAVAILABLE, percentage: { value: 30 } } }
      route: [{ destination: { host: fault } }]`,
        ),
      ].join('\n---\n'),
    );
    const shoal = await startShoalClient(xdsPort, 'xds:///fault:8080');
    shoalClients.push(shoal);
    await statsWhen(shoal.stats, 50, (r) => r.numFailures > 0);
    const before = (await shoal.stats.getClientAccumulatedStats({})).statsPerMethod.UNARY_CALL?.result ?? {};
    // 800 calls put the 7-point tolerance at about 4 standard deviations of a 30% share.
    await shoal.stats.getClientStats({ numRpcs: 800, timeoutSec: 30 });
    const after = (await shoal.stats.getClientAccumulatedStats({})).statsPerMethod.UNARY_CALL?.result ?? {};
    const delta = (code: number) => (after[code] ?? 0) - (before[code] ?? 0);
    const shoalPercent = (100 * delta(Code.UNAVAILABLE)) / (delta(Code.UNAVAILABLE) + delta(Code.OK));
    const g = grpcJs as GrpcJsXdsWorker;
    await g.counts('xds:///fault:8080', 20);
    const counted = await g.counts('xds:///fault:8080', 800);
    const grpcPercent = (100 * counted.failures) / 800;
    assert.equal(counted.codes[Code.UNAVAILABLE] ?? 0, counted.failures, JSON.stringify(counted.codes));
    for (const [who, percent] of [
      ['Shoal', shoalPercent],
      ['grpc-js-xds', grpcPercent],
    ] as const) {
      assert.ok(Math.abs(percent - 30) <= 7, `${who} aborted ${percent.toFixed(1)}% (want 30 ± 7)`);
    }
  });
});
