// Dubbo's traffic-management tasks (weights, run-time timeout, header/method routing, gray
// release, tag isolation) as end-to-end tests: Istio YAML applied to Shoal's control plane, Shoal
// providers that register themselves, a Shoal consumer routing by what it received over ADS.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Code, RpcError } from '@shoal/rpc';
import { MeshHarness, tally, waitFor } from './mesh-harness.js';

const subsets = (...names: [string, Record<string, string>][]) => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: greeter, namespace: default }
spec:
  host: greeter
  subsets:
${names.map(([n, labels]) => `  - name: ${n}\n    labels: ${JSON.stringify(labels)}`).join('\n')}
`;

const virtualService = (http: string) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: greeter, namespace: default }
spec:
  hosts: [greeter]
  http:
${http}
`;

/** Providers v1-a and v2-a, labelled version v1 and v2, and a subset for each. */
async function addTwoVersions(mesh: MeshHarness): Promise<void> {
  await mesh.provider('v1-a', { ip: '127.0.0.2', labels: { version: 'v1' } });
  await mesh.provider('v2-a', { ip: '127.0.0.3', labels: { version: 'v2' } });
  await mesh.apply(subsets(['v1', { version: 'v1' }], ['v2', { version: 'v2' }]));
}

describe('e2e: Dubbo traffic tasks through Shoal’s control plane (routing)', () => {
  let mesh: MeshHarness | undefined;
  afterEach(() => mesh?.stop());

  it('(1) adjusts traffic by weight', async () => {
    mesh = await MeshHarness.start();
    await addTwoVersions(mesh);
    await mesh.apply(
      virtualService(`
  - route:
    - destination: { host: greeter, subset: v1 }
      weight: 80
    - destination: { host: greeter, subset: v2 }
      weight: 20`),
    );
    const c = mesh.consumer();
    await waitFor(
      async () => (await tally(c, 1)) && c.decisions.at(-1)?.cluster?.includes('|v') === true,
      'subset routes',
    );
    const counts = await tally(c, 400);
    assert.equal((counts['v1-a'] ?? 0) + (counts['v2-a'] ?? 0), 400, JSON.stringify(counts));
    assert.ok(counts['v1-a']! > 280 && counts['v1-a']! < 360, JSON.stringify(counts));
    // Shift everything to v2 at run time.
    await mesh.apply(
      virtualService(`
  - route:
    - destination: { host: greeter, subset: v2 }
      weight: 100`),
    );
    await waitFor(async () => (await tally(c, 10))['v2-a'] === 10, 'all traffic on v2');
  });

  it('(2) changes a timeout at run time', async () => {
    mesh = await MeshHarness.start();
    const p = await mesh.provider('p1', { ip: '127.0.0.2' });
    p.delayMs = 150;
    await mesh.apply(virtualService(`  - timeout: 5s\n    route:\n    - destination: { host: greeter }`));
    const c = mesh.consumer();
    await waitFor(
      () =>
        c.sayHello({}).then(
          (r) => r.server === 'p1',
          () => false,
        ),
      'the first route',
    );
    await mesh.apply(virtualService(`  - timeout: 50ms\n    route:\n    - destination: { host: greeter }`));
    await waitFor(
      () =>
        c.sayHello({}).then(
          () => false,
          (e) => RpcError.from(e).code === Code.DEADLINE_EXCEEDED,
        ),
      'the 50ms timeout',
    );
    assert.equal(c.decisions.at(-1)?.timeoutMs, 50);
    // A caller's longer deadline is capped: the provider answers after 150ms, well within 10s, yet
    // the call ends with DEADLINE_EXCEEDED.
    await assert.rejects(
      c.sayHello({}, { timeoutMs: 10_000 }),
      (e: RpcError) => e.code === Code.DEADLINE_EXCEEDED,
    );
    assert.equal(c.decisions.at(-1)?.timeoutMs, 50);
  });

  it('(3) routes by request header and by method', async () => {
    mesh = await MeshHarness.start();
    await addTwoVersions(mesh);
    await mesh.apply(
      virtualService(`
  - name: beta-users
    match:
    - headers: { x-user: { exact: beta } }
    route:
    - destination: { host: greeter, subset: v2 }
  - name: farewell-method
    match:
    - uri: { exact: /shoal.meshtest.v1.Greeter/Farewell }
    route:
    - destination: { host: greeter, subset: v2 }
  - name: default
    route:
    - destination: { host: greeter, subset: v1 }`),
    );
    const c = mesh.consumer();
    await waitFor(
      async () => (await tally(c, 1))['v1-a'] === 1 && c.decisions.at(-1)?.route?.name === 'default',
      'the routes',
    );
    assert.deepEqual(await tally(c, 10, { 'x-user': 'beta' }), { 'v2-a': 10 });
    assert.equal(c.decisions.at(-1)?.route?.name, 'beta-users');
    assert.deepEqual(await tally(c, 10, { 'x-user': 'alpha' }), { 'v1-a': 10 });
    for (let i = 0; i < 5; i++) assert.equal((await c.farewell({})).server, 'v2-a');
    assert.equal(c.decisions.at(-1)?.route?.name, 'farewell-method');
  });

  it('(6) releases to a labelled gray subset: only matching users, then a share of everyone', async () => {
    mesh = await MeshHarness.start();
    await mesh.provider('stable-1', { ip: '127.0.0.2', labels: { version: 'stable' } });
    await mesh.provider('stable-2', { ip: '127.0.0.3', labels: { version: 'stable' } });
    await mesh.provider('gray-1', { ip: '127.0.0.4', labels: { version: 'gray' } });
    await mesh.apply(subsets(['stable', { version: 'stable' }], ['gray', { version: 'gray' }]));
    await mesh.apply(
      virtualService(`
  - match:
    - headers: { x-group: { prefix: gray } }
    route:
    - destination: { host: greeter, subset: gray }
  - route:
    - destination: { host: greeter, subset: stable }`),
    );
    const c = mesh.consumer();
    await waitFor(
      async () => (await tally(c, 1, { 'x-group': 'gray-testers' }))['gray-1'] === 1,
      'the gray route',
    );
    assert.deepEqual(await tally(c, 10, { 'x-group': 'gray-testers' }), { 'gray-1': 10 });
    const stable = await tally(c, 20);
    assert.equal(stable['gray-1'], undefined, 'nobody else reaches the gray instance');
    assert.equal((stable['stable-1'] ?? 0) + (stable['stable-2'] ?? 0), 20);
    // Widen the release: 50% of the rest go gray.
    await mesh.apply(
      virtualService(`
  - route:
    - destination: { host: greeter, subset: stable }
      weight: 50
    - destination: { host: greeter, subset: gray }
      weight: 50`),
    );
    await waitFor(async () => ((await tally(c, 40))['gray-1'] ?? 0) > 10, 'half the traffic on gray');
  });

  it('(7) isolates traffic by tag: tagged requests never reach untagged instances', async () => {
    mesh = await MeshHarness.start();
    await mesh.provider('untagged', { ip: '127.0.0.2' });
    const g1 = await mesh.provider('tagged-1', { ip: '127.0.0.3', labels: { tag: 'gray' } });
    const g2 = await mesh.provider('tagged-2', { ip: '127.0.0.4', labels: { tag: 'gray' } });
    await mesh.apply(subsets(['gray', { tag: 'gray' }]));
    await mesh.apply(
      virtualService(`
  - name: tag-gray
    match:
    - headers: { dubbo-tag: { exact: gray } }
    route:
    - destination: { host: greeter, subset: gray }
  - route:
    - destination: { host: greeter }`),
    );
    const c = mesh.consumer();
    await waitFor(
      async () =>
        (await tally(c, 1, { 'dubbo-tag': 'gray' })) && c.decisions.at(-1)?.route?.name === 'tag-gray',
      'the tag route',
    );
    const tagged = await tally(c, 30, { 'dubbo-tag': 'gray' });
    assert.equal(tagged.untagged, undefined, JSON.stringify(tagged));
    assert.equal((tagged['tagged-1'] ?? 0) + (tagged['tagged-2'] ?? 0), 30);
    // With every tagged instance gone, tagged calls fail rather than fall back to untagged ones.
    await g1.stop();
    await g2.stop();
    await waitFor(
      async () => (await tally(c, 1, { 'dubbo-tag': 'gray' })).UNAVAILABLE === 1,
      'the tagged instances to leave',
    );
    const after = await tally(c, 10, { 'dubbo-tag': 'gray' });
    assert.deepEqual(after, { UNAVAILABLE: 10 });
    assert.equal((await c.sayHello({})).server, 'untagged', 'untagged calls still flow');
  });
});
