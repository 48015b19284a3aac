// gRPC's proxyless xDS interop scenarios (psm-interop's test names), run against Shoal's control
// plane with Istio config: interop servers as processes registered through WorkloadEntries, and
// Shoal's interop client routing through the mesh transport.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Code } from '@shoal/rpc';
import { ClientConfigureRequest_RpcType as RpcType } from '../gen/grpc/testing/messages_pb.js';
import {
  apply,
  type Backend,
  bootstrapJson,
  ControlPlane,
  eventually,
  failedCalls,
  inFlight,
  NAMESPACE,
  resultCount,
  type ShoalClient,
  serviceYaml,
  startBackends,
  startShoalClient,
  startShoalClientProcess,
  statsWhen,
  subsetsRule,
  summary,
  virtualService,
  withinPoints,
  workloadEntryYaml,
} from './scenario-harness.js';

describe('xDS interop scenarios: Shoal client, Shoal control plane', () => {
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0, leaseGraceMs: 0 });
  let xdsPort = 0;
  let backends: Backend[] = [];
  const clients: ShoalClient[] = [];
  const backend = (id: string) => backends.find((b) => b.id === id) as Backend;

  before(async () => {
    xdsPort = (await cp.start()).xds.port;
    backends = await startBackends(['a1', 'a2', 'a3', 'b1']);
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(backends.map((b) => b.process.stop()));
    await cp.stop(200);
  });

  const client = async (
    target: string,
    ...rest: Parameters<typeof startShoalClient> extends [number, string, ...infer R] ? R : never
  ) => {
    const c = await startShoalClient(xdsPort, target, ...rest);
    clients.push(c);
    return c;
  };

  it('ping_pong: every call reaches the one backend (client as a process)', async () => {
    apply(cp, serviceYaml('pingpong', 8080, [{ backend: backend('a1') }]));
    const c = await startShoalClientProcess(xdsPort, ['--server=xds:///pingpong:8080', '--qps=50']);
    clients.push(c);
    const r = await statsWhen(c.stats, 50, (s) => s.numFailures === 0 && s.rpcsByPeer.a1 === 50);
    assert.deepEqual(r.rpcsByPeer, { a1: 50 });
  });

  it('round_robin: calls spread evenly over three backends', async () => {
    apply(
      cp,
      serviceYaml(
        'rr',
        8080,
        ['a1', 'a2', 'a3'].map((id) => ({ backend: backend(id) })),
      ),
    );
    const c = await client('xds:///rr:8080');
    const r = await statsWhen(
      c.stats,
      90,
      (s) => s.numFailures === 0 && Object.keys(s.rpcsByPeer).length === 3,
    );
    // Round robin over one channel: each backend within one call of a third.
    for (const id of ['a1', 'a2', 'a3']) {
      assert.ok(Math.abs((r.rpcsByPeer[id] ?? 0) - 30) <= 1, JSON.stringify(summary(r)));
    }
  });

  it('traffic_splitting: a weighted VirtualService splits 80/20 between subsets', async () => {
    apply(
      cp,
      [
        serviceYaml('split', 8080, [
          { backend: backend('a1'), labels: { version: 'v1' } },
          { backend: backend('a2'), labels: { version: 'v2' } },
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
    const c = await client('xds:///split:8080');
    const r = await statsWhen(
      c.stats,
      400,
      (s) => s.numFailures === 0 && withinPoints(s.rpcsByPeer, { a1: 80, a2: 20 }, 7),
    );
    assert.equal(r.numFailures, 0);
  });

  it('path_matching: an exact path route sends EmptyCall to v2, the rest to v1', async () => {
    apply(
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
    const c = await client('xds:///path:8080', { types: ['EmptyCall', 'UnaryCall'] });
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
    apply(
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
    - match: [{ headers: { xds_md: { prefix: pre } } }, { headers: { xds_md_numeric: { regex: "^[0-9]+$" } } }]
      route: [{ destination: { host: hdr, subset: v1 } }]`,
        ),
      ].join('\n---\n'),
    );
    const c = await client('xds:///hdr:8080', {
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

  it('gentle_failover: same-zone backends first; the other zone serves when the zone empties, then traffic returns', async () => {
    const local = { backend: backend('a3') };
    apply(cp, serviceYaml('fo', 8080, [local, { backend: backend('b1'), locality: 'r1/z2' }]));
    const c = await client('xds:///fo:8080');
    await statsWhen(c.stats, 50, (s) => s.numFailures === 0 && s.rpcsByPeer.a3 === 50);
    const failedBefore = await failedCalls(c.stats);
    cp.store.delete('WorkloadEntry', 'default', 'fo-a3');
    await statsWhen(c.stats, 50, (s) => s.numFailures === 0 && s.rpcsByPeer.b1 === 50);
    apply(cp, workloadEntryYaml('fo', local));
    await statsWhen(c.stats, 50, (s) => s.numFailures === 0 && s.rpcsByPeer.a3 === 50);
    assert.equal(await failedCalls(c.stats), failedBefore, 'calls failed during failover');
  });

  it('remove_instance_group: removing a backend moves its traffic to the rest without a failed call', async () => {
    apply(cp, serviceYaml('rig', 8080, [{ backend: backend('a1') }, { backend: backend('a2') }]));
    const c = await client('xds:///rig:8080');
    await statsWhen(
      c.stats,
      40,
      (s) => s.numFailures === 0 && s.rpcsByPeer.a1 === 20 && s.rpcsByPeer.a2 === 20,
    );
    const failedBefore = await failedCalls(c.stats);
    cp.store.delete('WorkloadEntry', 'default', 'rig-a2');
    await statsWhen(c.stats, 40, (s) => s.numFailures === 0 && s.rpcsByPeer.a1 === 40);
    assert.equal(await failedCalls(c.stats), failedBefore, 'calls failed while the backend was removed');
  });

  it('change_backend_service: pointing the route at another service moves traffic without a failed call', async () => {
    apply(
      cp,
      [
        serviceYaml('cbs', 8080, [{ backend: backend('a1') }]),
        serviceYaml('cbs-alt', 8080, [{ backend: backend('a2') }]),
        virtualService('cbs', '    - route: [{ destination: { host: cbs } }]'),
      ].join('\n---\n'),
    );
    const c = await client('xds:///cbs:8080');
    await statsWhen(c.stats, 40, (s) => s.numFailures === 0 && s.rpcsByPeer.a1 === 40);
    const failedBefore = await failedCalls(c.stats);
    apply(cp, virtualService('cbs', '    - route: [{ destination: { host: cbs-alt } }]'));
    await statsWhen(c.stats, 40, (s) => s.numFailures === 0 && s.rpcsByPeer.a2 === 40);
    assert.equal(await failedCalls(c.stats), failedBefore, 'calls failed while the route changed');
  });

  it('circuit_breaking: http2MaxRequests caps calls in flight; the rest fail UNAVAILABLE; raising it takes effect', async () => {
    const pool = (n: number) => `    connectionPool: { http: { http2MaxRequests: ${n} } }`;
    apply(
      cp,
      [serviceYaml('cb', 8080, [{ backend: backend('a3') }]), subsetsRule('cb', ['v1'], pool(10))].join(
        '\n---\n',
      ),
    );
    const c = await client('xds:///cb:8080', {
      metadata: new Map([['UnaryCall', [['rpc-behavior', 'keep-open']]]]),
      timeoutSec: 30,
    });
    await eventually(async () => (await inFlight(c.stats, 'UNARY_CALL')) === 10, '10 calls in flight');
    await eventually(
      async () => (await resultCount(c.stats, 'UNARY_CALL', Code.UNAVAILABLE)) > 20,
      'calls refused',
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await inFlight(c.stats, 'UNARY_CALL'), 10);
    apply(cp, subsetsRule('cb', ['v1'], pool(25)));
    await eventually(async () => (await inFlight(c.stats, 'UNARY_CALL')) === 25, '25 calls in flight');
  });

  it('timeout: the VirtualService timeout ends calls the backend holds, and only those', async () => {
    apply(
      cp,
      [
        serviceYaml('to', 8080, [{ backend: backend('a1') }]),
        virtualService('to', '    - route: [{ destination: { host: to } }]\n      timeout: 1s'),
      ].join('\n---\n'),
    );
    const c = await client('xds:///to:8080', {
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
    apply(
      cp,
      [
        serviceYaml('fault', 8080, [{ backend: backend('a2') }]),
        virtualService(
          'fault',
          `    - fault: { abort: { grpcStatus: UNAVAILABLE, percentage: { value: 50 } } }
      route: [{ destination: { host: fault } }]`,
        ),
      ].join('\n---\n'),
    );
    const c = await client('xds:///fault:8080');
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
    apply(
      cp,
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

  it('xds_server_mode: a server that takes its inbound listener from the control plane serves the mesh', async () => {
    const env = {
      ...process.env,
      GRPC_XDS_BOOTSTRAP_CONFIG: bootstrapJson(
        xdsPort,
        `sidecar~127.0.0.1~xds-server.${NAMESPACE}~${NAMESPACE}.svc.cluster.local`,
      ),
    };
    const [server] = await startBackends(['xs1'], env, ['--xds_server_mode=true']);
    assert.ok(server);
    backends.push(server);
    assert.equal(server.process.info.xds_server_mode, 'true');
    await eventually(
      async () => /shoal-xds-interop-server: serving/.test(server.process.output()),
      'serving',
    );
    apply(cp, serviceYaml('xsm', 8080, [{ backend: server }]));
    const c = await client('xds:///xsm:8080', { types: ['EmptyCall', 'UnaryCall'] });
    const r = await statsWhen(c.stats, 40, (s) => s.numFailures === 0 && s.rpcsByPeer.xs1 === 40);
    assert.deepEqual(Object.keys(r.rpcsByMethod).sort(), ['EmptyCall', 'UnaryCall']);
  });
});
