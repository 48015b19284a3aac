import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@shoal/testing';
import type { XdsHealthStatus } from '@shoal/xds/plugins';
import type { MeshEndpoint } from './endpoint.js';
import { createEndpoint } from './endpoint.js';
import { type LeastRequestPicker, leastRequestPolicy } from './least-request.js';
import { buildLocalityPicker, type LocalityPicker } from './locality-picker.js';
import { ringHashPolicy } from './ring-hash.js';
import { roundRobinPolicy } from './round-robin.js';
import { xxHash64 } from './xxhash64.js';

const rr = roundRobinPolicy({}, 'lb');

function zone(
  name: string,
  n: number,
  opts: { priority?: number; localityWeight?: number; health?: XdsHealthStatus[] } = {},
): MeshEndpoint[] {
  return Array.from({ length: n }, (_, i) =>
    createEndpoint({
      address: `10.${name.charCodeAt(name.length - 1)}.0.${i + 1}`,
      port: 80,
      locality: { region: 'r1', zone: name },
      priority: opts.priority ?? 0,
      localityWeight: opts.localityWeight ?? 0,
      health: opts.health?.[i] ?? 'healthy',
    }),
  );
}

function zoneShares(picker: LocalityPicker, n = 10_000): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const z = picker.pick()!.endpoint.locality.zone;
    out.set(z, (out.get(z) ?? 0) + 1 / n);
  }
  return out;
}

const near = (a: number | undefined, b: number, tol = 0.02) => Math.abs((a ?? 0) - b) < tol;

describe('locality picker: same-zone priority', () => {
  const local = zone('zone-a', 3, { priority: 0 });
  const remote = zone('zone-b', 3, { priority: 1 });
  const all = [...local, ...remote];

  it('keeps every call in the local zone while it is healthy', () => {
    const picker = buildLocalityPicker(all, { policy: rr, random: seededRandom(1) });
    assert.deepEqual([...zoneShares(picker).keys()], ['zone-a']);
    assert.deepEqual(
      picker.state().priorities.map((p) => p.load),
      [100, 0],
    );
  });

  it('fails over entirely when the local endpoints are ejected, and returns when they recover', () => {
    const ejected = new Set(local.map((e) => e.key));
    const failed = buildLocalityPicker(all, {
      policy: rr,
      random: seededRandom(2),
      isExcluded: (e) => ejected.has(e.key),
    });
    assert.deepEqual([...zoneShares(failed).keys()], ['zone-b']);
    ejected.clear();
    const recovered = buildLocalityPicker(all, { policy: rr, random: seededRandom(3), previous: failed });
    assert.deepEqual([...zoneShares(recovered).keys()], ['zone-a']);
  });

  it('spills in proportion when the local zone is partly unhealthy (overprovisioning 1.4)', () => {
    // 2 of 3 usable: health = floor(140 × 2/3) = 93, so 7% spills to priority 1.
    const partly = zone('zone-a', 3, { health: ['healthy', 'unhealthy', 'healthy'] });
    const picker = buildLocalityPicker([...partly, ...remote], { policy: rr, random: seededRandom(4) });
    assert.deepEqual(
      picker.state().priorities.map((p) => p.load),
      [93, 7],
    );
    const s = zoneShares(picker, 20_000);
    assert.ok(near(s.get('zone-a'), 0.93), `local ${s.get('zone-a')}`);
    // 4 of 5 usable: 140 × 0.8 = 112 → capped at 100, nothing spills.
    const mostly = zone('zone-a', 5, { health: ['healthy', 'healthy', 'draining', 'healthy', 'healthy'] });
    const p2 = buildLocalityPicker([...mostly, ...remote], { policy: rr, random: seededRandom(5) });
    assert.deepEqual(
      p2.state().priorities.map((p) => p.load),
      [100, 0],
    );
  });

  it('normalises loads when no priority is fully healthy', () => {
    const a = zone('zone-a', 5, { health: ['healthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy'] });
    const b = zone('zone-b', 5, {
      priority: 1,
      health: ['healthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy'],
    });
    // Each level: floor(140 / 5) = 28; total 56; each gets 50.
    const picker = buildLocalityPicker([...a, ...b], { policy: rr, random: seededRandom(6) });
    assert.deepEqual(
      picker.state().priorities.map((p) => p.load),
      [50, 50],
    );
    for (let i = 0; i < 200; i++) assert.equal(picker.pick()!.endpoint.health, 'healthy');
  });

  it('picks nothing when nothing is usable, unless panic is on', () => {
    const down = zone('zone-a', 2, { health: ['unhealthy', 'unhealthy'] });
    assert.equal(buildLocalityPicker(down, { policy: rr, random: seededRandom(7) }).pick(), undefined);
    const panic = buildLocalityPicker(down, { policy: rr, random: seededRandom(7), panicThreshold: 50 });
    assert.ok(panic.pick() !== undefined);
    assert.equal(panic.state().priorities[0]!.panic, true);
    assert.equal(buildLocalityPicker([], { policy: rr, random: seededRandom(7) }).pick(), undefined);
  });

  it('in panic mode picks from the whole level, healthy or not', () => {
    const a = zone('zone-a', 4, { health: ['healthy', 'unhealthy', 'unhealthy', 'unhealthy'] });
    const picker = buildLocalityPicker(a, { policy: rr, random: seededRandom(8), panicThreshold: 50 });
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) seen.add(picker.pick()!.endpoint.key);
    assert.equal(seen.size, 4);
  });
});

describe('locality picker: locality-weighted', () => {
  it('draws localities by load_balancing_weight, then the child policy inside', () => {
    const picker = buildLocalityPicker(
      [...zone('zone-a', 2, { localityWeight: 1 }), ...zone('zone-b', 2, { localityWeight: 3 })],
      {
        policy: rr,
        random: seededRandom(9),
      },
    );
    const s = zoneShares(picker, 20_000);
    assert.ok(near(s.get('zone-a'), 0.25) && near(s.get('zone-b'), 0.75), JSON.stringify([...s]));
  });

  it('scales a locality weight by its availability, and drops localities with weight 0', () => {
    const a = zone('zone-a', 2, { localityWeight: 1, health: ['healthy', 'unhealthy'] });
    const b = zone('zone-b', 2, { localityWeight: 1 });
    const c = zone('zone-c', 2, { localityWeight: 0 });
    // zone-a availability min(1, 1.4 × 1/2) = 0.7 → shares 0.7 : 1.
    const picker = buildLocalityPicker([...a, ...b, ...c], { policy: rr, random: seededRandom(10) });
    const s = zoneShares(picker, 20_000);
    assert.ok(near(s.get('zone-a'), 0.7 / 1.7) && !s.has('zone-c'), JSON.stringify([...s]));
  });

  it('gives hash policies one flat list with locality weights folded in', () => {
    const a = zone('zone-a', 1, { localityWeight: 1 });
    const b = zone('zone-b', 1, { localityWeight: 3 });
    const picker = buildLocalityPicker([...a, ...b], {
      policy: ringHashPolicy({}, 'lb'),
      random: seededRandom(11),
    });
    let inB = 0;
    for (let i = 0; i < 10_000; i++) {
      const h = xxHash64(`k${i}`);
      const p = picker.pick({ requestHash: h })!;
      assert.equal(picker.pick({ requestHash: h })!.endpoint.key, p.endpoint.key, 'stable per hash');
      if (p.endpoint.locality.zone === 'zone-b') inB++;
    }
    assert.ok(near(inB / 10_000, 0.75, 0.05), `zone-b share ${inB / 10_000}`);
  });

  it('hands child state to the rebuilt picker', () => {
    const eps = zone('zone-a', 2, { localityWeight: 1 });
    const policy = leastRequestPolicy({}, 'lb');
    const first = buildLocalityPicker(eps, { policy, random: seededRandom(12) });
    const p = first.pick()!;
    const second = buildLocalityPicker(eps, { policy, random: seededRandom(13), previous: first });
    const child = second.childrenByKey.get('0|r1/zone-a/') as LeastRequestPicker;
    assert.equal(child.outstanding(p.endpoint.key), 1);
    p.done!();
    assert.equal(child.outstanding(p.endpoint.key), 0);
  });
});
