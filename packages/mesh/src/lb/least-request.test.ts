import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RpcError } from '@shoal/rpc';
import { seededRandom } from '@shoal/testing';
import { createEndpoint } from './endpoint.js';
import { type LeastRequestPicker, leastRequestPolicy } from './least-request.js';
import type { Pick } from './picker.js';

const eps = (n: number) =>
  Array.from({ length: n }, (_, i) => createEndpoint({ address: `10.1.0.${i}`, port: 9 }));

describe('least_request', () => {
  it('takes the drawn endpoint with fewer outstanding calls', () => {
    const endpoints = eps(2);
    // Draws 0 then 1: endpoint 0 is busy, so 1 wins.
    const draws = [0.1, 0.9];
    let i = 0;
    const picker = leastRequestPolicy({}, 'lb').build(endpoints, { random: () => draws[i++ % 2]! });
    const first = picker.pick()!;
    assert.equal(first.endpoint, endpoints[0], 'tie goes to the first drawn');
    const second = picker.pick()!;
    assert.equal(second.endpoint, endpoints[1]);
    first.done!();
    second.done!();
  });

  it('releases exactly once per call', () => {
    const endpoints = eps(1);
    const picker = leastRequestPolicy({}, 'lb').build(endpoints, {
      random: seededRandom(1),
    }) as LeastRequestPicker;
    const p = picker.pick()!;
    picker.pick();
    assert.equal(picker.outstanding(endpoints[0]!.key), 2);
    p.done!();
    p.done!();
    assert.equal(picker.outstanding(endpoints[0]!.key), 1);
  });

  it('steers new calls away from a loaded endpoint', () => {
    const endpoints = eps(4);
    const picker = leastRequestPolicy({ choiceCount: 2 }, 'lb').build(endpoints, { random: seededRandom(5) });
    const held: Pick[] = [];
    const c = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const p = picker.pick()!;
      c.set(p.endpoint.key, (c.get(p.endpoint.key) ?? 0) + 1);
      // Calls to endpoint 0 never finish; the others finish at once.
      if (p.endpoint === endpoints[0]) held.push(p);
      else p.done!();
    }
    // Endpoint 0 only wins when both draws land on it: 1/16 of calls, against 1/4 for round robin.
    const busy = c.get(endpoints[0]!.key) ?? 0;
    assert.ok(busy > 150 && busy < 350, `loaded endpoint got ${busy} calls`);
    for (const e of endpoints.slice(1)) assert.ok((c.get(e.key) ?? 0) > 1100);
    for (const p of held) p.done!();
  });

  it('keeps outstanding counts across a rebuild', () => {
    const endpoints = eps(2);
    const policy = leastRequestPolicy({}, 'lb');
    const a = policy.build(endpoints, { random: () => 0 }) as LeastRequestPicker;
    const p = a.pick()!;
    const b = policy.build([...endpoints, ...eps(3).slice(2)], {
      random: () => 0,
      previous: a,
    }) as LeastRequestPicker;
    assert.equal(b.outstanding(endpoints[0]!.key), 1);
    p.done!();
    assert.equal(b.outstanding(endpoints[0]!.key), 0);
  });

  it('validates choiceCount: below 2 is rejected, above 10 is capped', () => {
    assert.throws(
      () => leastRequestPolicy({ choiceCount: 1 }, 'clusters[2].leastRequest'),
      (e: unknown) =>
        e instanceof RpcError &&
        /clusters\[2\]\.leastRequest\.choiceCount: must be an integer ≥ 2/.test(e.message),
    );
    let draws = 0;
    const picker = leastRequestPolicy({ choiceCount: 50 }, 'lb').build(eps(3), {
      random: () => {
        draws++;
        return 0.5;
      },
    });
    picker.pick();
    assert.equal(draws, 10);
  });

  it('returns undefined for an empty set', () => {
    assert.equal(
      leastRequestPolicy({}, 'lb')
        .build([], { random: seededRandom(1) })
        .pick(),
      undefined,
    );
  });
});
