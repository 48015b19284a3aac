import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RpcError } from '@shoal/rpc';
import { seededRandom } from '@shoal/testing';
import { createEndpoint } from './endpoint.js';
import { roundRobinPolicy } from './round-robin.js';

const eps = (weights: number[]) =>
  weights.map((weight, i) => createEndpoint({ address: `10.0.0.${i + 1}`, port: 80, weight }));

function counts(picker: { pick(): { endpoint: { key: string } } | undefined }, n: number) {
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = picker.pick()!.endpoint.key;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

describe('round_robin', () => {
  it('cycles through equal-weight endpoints in order from a random start', () => {
    const endpoints = eps([1, 1, 1, 1]);
    const picker = roundRobinPolicy({}, 'lb').build(endpoints, { random: seededRandom(7) });
    const first = endpoints.indexOf(picker.pick()!.endpoint);
    assert.ok(first >= 0);
    for (let i = 1; i < 12; i++) assert.equal(picker.pick()!.endpoint, endpoints[(first + i) % 4]);
  });

  it('starts at different offsets for different random sources', () => {
    const endpoints = eps(Array(16).fill(1));
    const starts = new Set<string>();
    for (let seed = 1; seed <= 20; seed++)
      starts.add(
        roundRobinPolicy({}, 'lb')
          .build(endpoints, { random: seededRandom(seed) })
          .pick()!.endpoint.key,
      );
    assert.ok(starts.size > 5, `only ${starts.size} distinct start points`);
  });

  it('honours weights exactly over each full round (EDF)', () => {
    const endpoints = eps([1, 2, 3, 4]);
    const picker = roundRobinPolicy({}, 'lb').build(endpoints, { random: seededRandom(3) });
    const c = counts(picker, 10 * 100);
    assert.deepEqual(
      endpoints.map((e) => c.get(e.key)),
      [100, 200, 300, 400],
    );
  });

  it('spreads a heavy endpoint out instead of bunching its picks', () => {
    const endpoints = eps([1, 3]);
    const picker = roundRobinPolicy({}, 'lb').build(endpoints, { random: seededRandom(1) });
    let run = 0;
    let longest = 0;
    let last = '';
    for (let i = 0; i < 400; i++) {
      const k = picker.pick()!.endpoint.key;
      run = k === last ? run + 1 : 1;
      last = k;
      longest = Math.max(longest, run);
    }
    assert.ok(longest <= 3, `longest run ${longest}`);
    assert.ok(counts(picker, 400).size === 2);
  });

  it('returns undefined for an empty set and allocates nothing per pick', () => {
    assert.equal(
      roundRobinPolicy({}, 'lb')
        .build([], { random: seededRandom(1) })
        .pick(),
      undefined,
    );
    const picker = roundRobinPolicy(undefined, 'lb').build(eps([1, 1]), { random: seededRandom(1) });
    const a = picker.pick();
    picker.pick();
    assert.equal(picker.pick(), a, 'same pick object comes back');
    assert.equal(a!.done, undefined);
  });

  it('rejects a config that is not an object, naming the path', () => {
    assert.throws(
      () => roundRobinPolicy([1], 'clusters[0].lbPolicy'),
      (e: unknown) => e instanceof RpcError && /clusters\[0\]\.lbPolicy: must be an object/.test(e.message),
    );
  });
});
