// Taking instances out of service without failing a call, seen by two clients at once, a Shoal
// mesh client and @grpc/grpc-js-xds, both under load through Shoal's control plane with retries
// turned off (so nothing hides a failure): an instance disabled through the admin API gets no new
// call from either within 1 s and comes back when its `for` expires; and a rolling restart of
// three providers (each replacement starts, then the old one drains: DRAINING, notice, GOAWAY,
// in-flight calls finish) fails no call. Bounded: each load stops at its count or when told.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MeshServer } from '@shoal/mesh';
import { eventually } from '../grpc-js-xds/harness.js';
import { APP, type Caller, DrainMesh, Load } from './drain-harness.js';

const NO_RETRIES = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${APP} }
spec:
  hosts: [${APP}]
  http: [{ retries: { attempts: 0 }, route: [{ destination: { host: ${APP} } }] }]`;

/** Which providers answered, by name. */
const hosts = (records: { host?: string }[]) => new Set(records.flatMap((r) => (r.host ? [r.host] : [])));

describe('instances leave without failing a call (Shoal and grpc-js-xds clients)', () => {
  const mesh = new DrainMesh();
  const providers = new Map<string, MeshServer>();
  let callers: Caller[] = [];

  /** Until every caller has been answered by each of `names` (their EDS has them all). */
  const reachAll = (names: string[]) =>
    Promise.all(
      callers.map((c) =>
        eventually(
          async () => {
            const seen = new Set<string>();
            for (let i = 0; i < names.length * 4; i++) seen.add(await c.call());
            return names.every((n) => seen.has(n));
          },
          8000,
          `${c.name} to reach ${names.join(', ')}`,
        ),
      ),
    );

  before(async () => {
    await mesh.start();
    for (const [name, n] of [
      ['p1', 2],
      ['p2', 3],
      ['p3', 4],
    ] as const) {
      providers.set(name, await mesh.provider(name, n));
    }
    await mesh.post('/api/apply', NO_RETRIES);
    callers = [mesh.shoalCaller(), mesh.grpcJsCaller()];
    await reachAll(['p1', 'p2', 'p3']);
  });

  after(async () => {
    for (const c of callers) c.close();
    await Promise.all([...providers.values()].map((p) => p.close(200)));
    await mesh.stop();
  });

  it('a disabled instance gets no new call within 1 s, and is called again once `for` expires', async () => {
    const loads = callers.map((c) => new Load(c, 4, 20_000));
    await new Promise((r) => setTimeout(r, 300));
    const address = `127.0.1.2:${mesh.port}`;
    const disabledAt = Date.now();
    const answer = (await mesh.post(
      '/api/instances/disable',
      JSON.stringify({ address, for: '2500ms', reason: 'interop' }),
    )) as { instances: { health: string }[] };
    assert.deepEqual(
      answer.instances.map((i) => i.health),
      ['UNHEALTHY'],
    );
    await new Promise((r) => setTimeout(r, 2000));
    const during = loads.map((l) => [...l.records]);
    // Back after 2.5 s: each client calls p1 again.
    await Promise.all(
      loads.map((l) =>
        eventually(
          async () => l.records.some((r) => r.start > disabledAt + 2500 && r.host === 'p1'),
          5000,
          `${l.caller.name} to call p1 again`,
        ),
      ),
    );
    for (const [i, load] of loads.entries()) {
      const records = await load.stop();
      const name = load.caller.name;
      assert.deepEqual(load.failures(), [], `${name}: no call failed`);
      const late = during[i]!.filter((r) => r.start > disabledAt + 1000 && r.host === 'p1');
      assert.deepEqual(late, [], `${name}: no call started more than 1 s after the disable reached p1`);
      // Calls went on meanwhile, to the others (a count would measure the machine's load).
      assert.ok(
        during[i]!.some((r) => r.start > disabledAt + 1000),
        `${name}: calls went on meanwhile (${records.length} in all)`,
      );
    }
  });

  it('a rolling restart of the three providers under load fails no call', async () => {
    const loads = callers.map((c) => new Load(c, 4, 50_000));
    for (const [i, old] of ['p1', 'p2', 'p3'].entries()) {
      // As a rolling update does: the replacement serves first, then the old instance drains.
      const name = `r${i + 1}`;
      providers.set(name, await mesh.provider(name, 5 + i));
      await reachAll([name]);
      await providers.get(old)!.close(5000);
      providers.delete(old);
    }
    const closedAt = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    for (const load of loads) {
      const records = await load.stop();
      const name = load.caller.name;
      assert.deepEqual(load.failures(), [], `${name}: no call failed (${records.length} calls)`);
      const after = [...hosts(records.filter((r) => r.start > closedAt))];
      assert.ok(after.length > 0 && after.every((h) => h.startsWith('r')), `${name}: after: ${after}`);
      const all = hosts(records);
      assert.ok(
        ['p1', 'p2', 'p3', 'r1', 'r2', 'r3'].every((h) => all.has(h)),
        `${name}: every old provider served before it left, every new one after it came (${[...all]})`,
      );
    }
  });
});
