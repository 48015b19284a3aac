// gRPC's proxyless xDS interop scenarios (psm-interop's test names) for routing, run against
// Shoal's control plane with Istio config: interop servers as processes registered through
// WorkloadEntries, and Shoal's interop client routing through the mesh transport.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Code } from '@shoal/rpc';
import { ClientConfigureRequest_RpcType as RpcType } from '../gen/grpc/testing/messages_pb.js';
import {
  csdsResources,
  eventually,
  resultCount,
  ScenarioEnv,
  serviceYaml,
  startShoalClientProcess,
  statsWhen,
  subsetsRule,
  summary,
  virtualService,
  withinPoints,
} from './scenario-harness.js';

describe('xDS interop scenarios (routing): Shoal client, Shoal control plane', () => {
  const env = new ScenarioEnv();
  before(() => env.start(['a1', 'a2', 'a3']));
  after(() => env.stop());

  it('ping_pong: every call reaches the one backend (client as a process)', async () => {
    await env.apply(serviceYaml('pingpong', 8080, [{ backend: env.backend('a1') }]));
    const c = await startShoalClientProcess(env.xdsPort, ['--server=xds:///pingpong:8080', '--qps=50']);
    env.track(c);
    const r = await statsWhen(c.stats, 50, (s) => s.numFailures === 0 && s.rpcsByPeer.a1 === 50);
    assert.deepEqual(r.rpcsByPeer, { a1: 50 });
    // The stats port also serves CSDS: what the client's xDS client holds.
    const resources = await csdsResources(`127.0.0.1:${c.process.info.stats_port}`);
    for (const want of [
      'Listener/pingpong:8080',
      'RouteConfiguration/pingpong:8080',
      'Cluster/outbound|8080||pingpong.default.svc.cluster.local',
      'ClusterLoadAssignment/outbound|8080||pingpong.default.svc.cluster.local',
    ]) {
      assert.ok(resources.includes(want), `CSDS lacks ${want}: ${resources.join(', ')}`);
    }
  });

  it('round_robin: calls spread evenly over three backends, with one channel or three', async () => {
    await env.apply(
      serviceYaml(
        'rr',
        8080,
        ['a1', 'a2', 'a3'].map((id) => ({ backend: env.backend(id) })),
      ),
    );
    const c = await env.client('xds:///rr:8080');
    const r = await statsWhen(
      c.stats,
      90,
      (s) => s.numFailures === 0 && Object.keys(s.rpcsByPeer).length === 3,
    );
    // Round robin over one channel: each backend within one call of a third.
    for (const id of ['a1', 'a2', 'a3']) {
      assert.ok(Math.abs((r.rpcsByPeer[id] ?? 0) - 30) <= 1, JSON.stringify(summary(r)));
    }
    // Three channels, each its own mesh transport balancing on its own: 90 consecutive calls give
    // each channel 30 calls, ten full rounds, so exactly 30 per backend.
    const multi = await env.client('xds:///rr:8080', {}, 100, 3);
    const m = await statsWhen(
      multi.stats,
      90,
      (s) => s.numFailures === 0 && Object.keys(s.rpcsByPeer).length === 3,
    );
    assert.deepEqual(m.rpcsByPeer, { a1: 30, a2: 30, a3: 30 });
  });

  it('traffic_splitting: a weighted VirtualService splits 80/20 between subsets', async () => {
    await env.apply(
      [
        serviceYaml('split', 8080, [
          { backend: env.backend('a1'), labels: { version: 'v1' } },
          { backend: env.backend('a2'), labels: { version: 'v2' } },
        ]),
        subsetsRule('split', ['v1', 'v2']),
        virtualService(
          'split',
          `    - route:
        - { destination: { host: split, subset: v1 }, weight: 80 }
        - { destination: { host: split, subset: v2 }, weight: 20 }`,
        ),
      ].join('\n---\n'),
    );
    const c = await env.client('xds:///split:8080');
    const r = await statsWhen(
      c.stats,
      400,
      (s) => s.numFailures === 0 && withinPoints(s.rpcsByPeer, { a1: 80, a2: 20 }, 7),
    );
    assert.equal(r.numFailures, 0);
  });

  it('path_matching: an exact path route sends EmptyCall to v2, the rest to v1', async () => {
    await env.apply(
      [
        serviceYaml('path', 8080, [
          { backend: env.backend('a1'), labels: { version: 'v1' } },
          { backend: env.backend('a2'), labels: { version: 'v2' } },
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
    const c = await env.client('xds:///path:8080', { types: ['EmptyCall', 'UnaryCall'] });
    const r = await statsWhen(
      c.stats,
      60,
      (s) => s.numFailures === 0 && s.rpcsByMethod.EmptyCall?.rpcsByPeer.a2 === 30,
    );
    assert.deepEqual(summary(r), {
      rpcsByPeer: { a1: 30, a2: 30 },
      numFailures: 0,
      rpcsByMethod: { EmptyCall: { a2: 30 }, UnaryCall: { a1: 30 } },
    });
  });

  it('header_matching: calls with a matching header go to v2, others to v1; no route is UNAVAILABLE', async () => {
    await env.apply(
      [
        serviceYaml('hdr', 8080, [
          { backend: env.backend('a1'), labels: { version: 'v1' } },
          { backend: env.backend('a2'), labels: { version: 'v2' } },
        ]),
        subsetsRule('hdr', ['v1', 'v2']),
        virtualService(
          'hdr',
          `    - match: [{ headers: { xds_md: { exact: exact_match } } }]
      route: [{ destination: { host: hdr, subset: v2 } }]
    - match: [{ headers: { xds_md: { prefix: pre } } }, { headers: { xds_md_numeric: { regex: "^[0-9]+$" } } }]
      route: [{ destination: { host: hdr, subset: v1 } }]`,
        ),
      ].join('\n---\n'),
    );
    const c = await env.client('xds:///hdr:8080', {
      types: ['EmptyCall', 'UnaryCall'],
      metadata: new Map([
        ['UnaryCall', [['xds_md', 'exact_match']]],
        ['EmptyCall', [['xds_md', 'prefixed']]],
      ]),
    });
    const r = await statsWhen(
      c.stats,
      60,
      (s) => s.numFailures === 0 && s.rpcsByMethod.UnaryCall?.rpcsByPeer.a2 === 30,
    );
    assert.deepEqual(summary(r), {
      rpcsByPeer: { a1: 30, a2: 30 },
      numFailures: 0,
      rpcsByMethod: { EmptyCall: { a1: 30 }, UnaryCall: { a2: 30 } },
    });
    // Now EmptyCall matches by the regex header, and UnaryCall matches nothing: no route, UNAVAILABLE.
    await c.configure.configure({
      types: [RpcType.EMPTY_CALL, RpcType.UNARY_CALL],
      metadata: [
        { type: RpcType.EMPTY_CALL, key: 'xds_md_numeric', value: '123' },
        { type: RpcType.UNARY_CALL, key: 'xds_md', value: 'other' },
      ],
    });
    const before = await resultCount(c.stats, 'UNARY_CALL', Code.UNAVAILABLE);
    const r2 = await statsWhen(c.stats, 40, (s) => s.numFailures === 20 && s.rpcsByPeer.a1 === 20);
    assert.deepEqual(summary(r2), {
      rpcsByPeer: { a1: 20 },
      numFailures: 20,
      rpcsByMethod: { EmptyCall: { a1: 20 } },
    });
    assert.ok((await resultCount(c.stats, 'UNARY_CALL', Code.UNAVAILABLE)) >= before + 20);
  });

  it('timeout: the VirtualService timeout ends calls the backend holds, and only those', async () => {
    await env.apply(
      [
        serviceYaml('to', 8080, [{ backend: env.backend('a1') }]),
        virtualService('to', '    - route: [{ destination: { host: to } }]\n      timeout: 1s'),
      ].join('\n---\n'),
    );
    const c = await env.client('xds:///to:8080', {
      types: ['EmptyCall', 'UnaryCall'],
      metadata: new Map([['UnaryCall', [['rpc-behavior', 'sleep-3']]]]),
      timeoutSec: 10,
    });
    const start = performance.now();
    await eventually(
      async () => (await resultCount(c.stats, 'UNARY_CALL', Code.DEADLINE_EXCEEDED)) >= 10,
      'timeouts',
    );
    assert.ok(performance.now() - start < 6000, 'calls were not cut at 1 s');
    assert.equal(await resultCount(c.stats, 'UNARY_CALL', Code.OK), 0);
    assert.ok((await resultCount(c.stats, 'EMPTY_CALL', Code.OK)) >= 10);
  });

  it('fault_injection: abort by percentage with a gRPC status, and a delay past the deadline', async () => {
    await env.apply(
      [
        serviceYaml('fault', 8080, [{ backend: env.backend('a2') }]),
        virtualService(
          'fault',
          `    - fault: { abort: { grpcStatus: UNAVAILABLE, percentage: { value: 50 } } }
      route: [{ destination: { host: fault } }]`,
        ),
      ].join('\n---\n'),
    );
    const c = await env.client('xds:///fault:8080');
    await statsWhen(c.stats, 50, (s) => s.numFailures > 0);
    // Over the next 400 calls: about half aborted with UNAVAILABLE, nothing else failing.
    const before = (await c.stats.getClientAccumulatedStats({})).statsPerMethod.UNARY_CALL?.result ?? {};
    await c.stats.getClientStats({ numRpcs: 400, timeoutSec: 20 });
    const after = (await c.stats.getClientAccumulatedStats({})).statsPerMethod.UNARY_CALL?.result ?? {};
    const delta = (code: number) => (after[code] ?? 0) - (before[code] ?? 0);
    const aborted = delta(Code.UNAVAILABLE);
    const ok = delta(Code.OK);
    assert.deepEqual(
      Object.keys(after)
        .map(Number)
        .filter((code) => code !== Code.OK && code !== Code.UNAVAILABLE),
      [],
      `unexpected codes: ${JSON.stringify(after)}`,
    );
    const percent = (100 * aborted) / (aborted + ok);
    assert.ok(Math.abs(percent - 50) <= 10, `aborted ${aborted} of ${aborted + ok}`);
    await c.configure.configure({ types: [RpcType.UNARY_CALL], timeoutSec: 1 });
    await env.apply(
      virtualService(
        'fault',
        `    - fault: { delay: { fixedDelay: 3s, percentage: { value: 100 } } }
      route: [{ destination: { host: fault } }]`,
      ),
    );
    const timedOut = await resultCount(c.stats, 'UNARY_CALL', Code.DEADLINE_EXCEEDED);
    await eventually(
      async () => (await resultCount(c.stats, 'UNARY_CALL', Code.DEADLINE_EXCEEDED)) >= timedOut + 50,
      'delayed calls to pass their 1 s deadline',
    );
  });
});
