import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RpcError } from '@shoal/rpc';
import { seededRandom } from '@shoal/testing';
import { createEndpoint } from './endpoint.js';
import { parseRingHashConfig, type RingHashPicker, ringHashPolicy } from './ring-hash.js';
import { xxHash64 } from './xxhash64.js';

const eps = (weights: number[]) =>
  weights.map((weight, i) => createEndpoint({ address: `10.2.0.${i + 1}`, port: 50051, weight }));

function build(endpoints: ReturnType<typeof eps>, config: unknown = {}) {
  return ringHashPolicy(config, 'lb').build(endpoints, { random: seededRandom(9) }) as RingHashPicker;
}

const keys = Array.from({ length: 20_000 }, (_, i) => xxHash64(`user-${i}`));

describe('ring_hash', () => {
  it('sizes the ring by min_ring_size, clamped by the cap', () => {
    assert.equal(build(eps([1, 1])).ringSize, 1024);
    assert.equal(build(eps([1, 1, 1])).ringSize, 1026, 'ceil(1024/3) entries each');
    // Weight 1 in 1001 needs 2 entries, so 2002 in all; 1 in 10001 would need 10001: the 4096 cap wins.
    assert.equal(build(eps([1, 1000])).ringSize, 2002);
    assert.equal(build(eps([1, 10000])).ringSize, 4096);
    assert.equal(build(eps([1, 100_000]), { ringSizeCap: 100_000, maxRingSize: 50_000 }).ringSize, 50_000);
    assert.equal(build(eps([1, 10_000]), { ringSizeCap: 100_000 }).ringSize, 10_001);
    assert.equal(build(eps([1, 1]), { minRingSize: 10, maxRingSize: 10 }).ringSize, 10);
  });

  it('maps the same hash to the same endpoint, and agrees across independently built rings', () => {
    const a = build(eps([1, 1, 1, 1, 1]));
    const b = build(eps([1, 1, 1, 1, 1]).reverse());
    for (const h of keys.slice(0, 2000)) {
      const pa = a.pick({ requestHash: h })!.endpoint.key;
      assert.equal(a.pick({ requestHash: h })!.endpoint.key, pa);
      assert.equal(b.pick({ requestHash: h })!.endpoint.key, pa);
    }
  });

  it('hashes entries as XXH64("<address:port>_<n>")', () => {
    const [e] = eps([1]);
    const picker = build([e!], { minRingSize: 1, maxRingSize: 1 });
    // With one entry, its hash is the ring; hash + 1 wraps round to it too.
    const entry = xxHash64(`${e!.key}_0`);
    assert.equal(picker.pick({ requestHash: entry })!.endpoint, e);
    assert.equal(picker.pick({ requestHash: entry + 1n })!.endpoint, e);
  });

  it('moves only about 1/N of keys when one of N endpoints goes away', () => {
    const endpoints = eps(Array(10).fill(1));
    const before = build(endpoints);
    const after = build(endpoints.slice(0, 9));
    let moved = 0;
    let movedFromSurvivors = 0;
    for (const h of keys) {
      const was = before.pick({ requestHash: h })!.endpoint;
      const now = after.pick({ requestHash: h })!.endpoint;
      if (was !== now) {
        moved++;
        if (was !== endpoints[9]) movedFromSurvivors++;
      }
    }
    // The removed endpoint's ~10% must move. Survivors each get ceil(1024/9) = 114 entries instead of
    // 103, and those new entries take some keys from other survivors: under 10% more.
    const share = moved / keys.length;
    const fromSurvivors = movedFromSurvivors / keys.length;
    assert.ok(
      share - fromSurvivors > 0.08 && share - fromSurvivors < 0.12,
      `removed endpoint had ${share - fromSurvivors}`,
    );
    assert.ok(fromSurvivors < 0.1, `survivors lost ${fromSurvivors}`);
    assert.ok(share < 0.2, `moved ${share}`);
  });

  it('gives each endpoint hash space in proportion to its weight', () => {
    const endpoints = eps([1, 3]);
    const picker = build(endpoints);
    let heavy = 0;
    for (const h of keys) if (picker.pick({ requestHash: h })!.endpoint === endpoints[1]) heavy++;
    const share = heavy / keys.length;
    assert.ok(Math.abs(share - 0.75) < 0.05, `heavy share ${share}`);
  });

  it('picks at random without a request hash', () => {
    const endpoints = eps([1, 1, 1, 1]);
    const picker = build(endpoints);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(picker.pick()!.endpoint.key);
    assert.equal(seen.size, 4);
  });

  it('treats negative request hashes as their uint64 value', () => {
    const picker = build(eps([1, 1, 1]));
    assert.equal(
      picker.pick({ requestHash: -1n })!.endpoint,
      picker.pick({ requestHash: (1n << 64n) - 1n })!.endpoint,
    );
  });

  it('rejects bad sizes with their paths', () => {
    assert.throws(
      () => parseRingHashConfig({ minRingSize: 0, maxRingSize: 'x' }, 'clusters[1].ringHash'),
      (e: unknown) =>
        e instanceof RpcError &&
        e.message.includes('clusters[1].ringHash.minRingSize: must be in [1, 8388608], got 0') &&
        e.message.includes('clusters[1].ringHash.maxRingSize: must be an integer'),
    );
    assert.throws(
      () => parseRingHashConfig({ minRingSize: 100, maxRingSize: 10 }, 'r'),
      /r\.minRingSize: must not exceed/,
    );
  });

  it('returns undefined for an empty set', () => {
    assert.equal(build([]).pick({ requestHash: 1n }), undefined);
  });
});
