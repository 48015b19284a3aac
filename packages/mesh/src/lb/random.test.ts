import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@shoal/testing';
import { createEndpoint } from './endpoint.js';
import { randomPolicy } from './random.js';

const eps = (weights: number[]) =>
  weights.map((weight, i) => createEndpoint({ address: `10.0.1.${i + 1}`, port: 8080, weight }));

function shares(weights: number[], n: number, seed: number): number[] {
  const endpoints = eps(weights);
  const picker = randomPolicy({}, 'lb').build(endpoints, { random: seededRandom(seed) });
  const c = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = picker.pick()!.endpoint.key;
    c.set(k, (c.get(k) ?? 0) + 1);
  }
  return endpoints.map((e) => (c.get(e.key) ?? 0) / n);
}

describe('random', () => {
  it('spreads uniformly over equal weights', () => {
    for (const s of shares([5, 5, 5, 5], 40_000, 11)) assert.ok(Math.abs(s - 0.25) < 0.01, `share ${s}`);
  });

  it('picks in proportion to weight', () => {
    const got = shares([1, 3, 6], 60_000, 12);
    const want = [0.1, 0.3, 0.6];
    got.forEach((s, i) => {
      assert.ok(Math.abs(s - want[i]!) < 0.01, `endpoint ${i}: ${s} vs ${want[i]}`);
    });
  });

  it('never picks from an empty set', () => {
    assert.equal(
      randomPolicy({}, 'lb')
        .build([], { random: seededRandom(1) })
        .pick(),
      undefined,
    );
  });

  it('stays in range when the random source returns its edge values', () => {
    const endpoints = eps([1, 2]);
    for (const r of [0, 0.999999999999]) {
      const p = randomPolicy({}, 'lb')
        .build(endpoints, { random: () => r })
        .pick();
      assert.ok(p !== undefined);
    }
    assert.equal(
      randomPolicy({}, 'lb')
        .build(endpoints, { random: () => 0 })
        .pick()!.endpoint,
      endpoints[0],
    );
    assert.equal(
      randomPolicy({}, 'lb')
        .build(endpoints, { random: () => 0.5 })
        .pick()!.endpoint,
      endpoints[1],
    );
  });
});
