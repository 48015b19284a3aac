import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@shoal/testing';
import { createEndpoint } from './endpoint.js';
import { type ShortestResponsePicker, shortestResponsePolicy } from './shortest-response.js';

const eps = (weights: number[]) =>
  weights.map((weight, i) => createEndpoint({ address: `10.5.0.${i + 1}`, port: 20880, weight }));

describe('shortest_response', () => {
  it('sends calls to the endpoint with the shortest expected response', () => {
    let now = 0;
    const endpoints = eps([1, 1, 1]);
    const latency = [30, 5, 60];
    const picker = shortestResponsePolicy({}, 'lb').build(endpoints, {
      random: seededRandom(1),
      now: () => now,
    }) as ShortestResponsePicker;
    const counts = [0, 0, 0];
    for (let i = 0; i < 300; i++) {
      const p = picker.pick()!;
      const idx = endpoints.indexOf(p.endpoint);
      counts[idx]!++;
      now += latency[idx]!;
      p.done!();
    }
    assert.ok(counts[1]! > 290, `fast endpoint got ${counts[1]}`);
    assert.equal(picker.estimate(endpoints[1]!.key), 5);
  });

  it('weighs in calls in flight: a fast but busy endpoint loses to an idle slower one', () => {
    let now = 0;
    const endpoints = eps([1, 1]);
    const picker = shortestResponsePolicy({}, 'lb').build(endpoints, { random: () => 0, now: () => now });
    // Teach it: endpoint 0 answers in 10 ms, endpoint 1 in 25 ms.
    for (const [i, ms] of [
      [0, 10],
      [1, 25],
    ] as const) {
      let p = picker.pick()!;
      while (p.endpoint !== endpoints[i]) {
        p.done!(false);
        p = picker.pick()!;
      }
      now += ms;
      p.done!();
    }
    const held = [picker.pick()!, picker.pick()!];
    assert.deepEqual(
      held.map((p) => p.endpoint),
      [endpoints[0], endpoints[0]],
      '10×1 then 10×2 < 25',
    );
    assert.equal(picker.pick()!.endpoint, endpoints[1], '10×3 > 25×1');
  });

  it('breaks ties by weight and ignores failed calls’ times', () => {
    const endpoints = eps([1, 3]);
    const picker = shortestResponsePolicy({}, 'lb').build(endpoints, {
      random: seededRandom(4),
      now: () => 0,
    });
    let heavy = 0;
    for (let i = 0; i < 4000; i++) {
      const p = picker.pick()!;
      if (p.endpoint === endpoints[1]) heavy++;
      p.done!(false);
    }
    assert.ok(Math.abs(heavy / 4000 - 0.75) < 0.03, `heavy share ${heavy / 4000}`);
  });

  it('forgets latencies after the slide period', () => {
    let now = 0;
    const endpoints = eps([1]);
    const picker = shortestResponsePolicy({ slidePeriodMs: 1000 }, 'lb').build(endpoints, {
      random: seededRandom(5),
      now: () => now,
    }) as ShortestResponsePicker;
    const p = picker.pick()!;
    now += 50;
    p.done!();
    p.done!();
    assert.equal(picker.estimate(endpoints[0]!.key), 50);
    now += 1000;
    picker.pick()!.done!(false);
    assert.equal(picker.estimate(endpoints[0]!.key), 0);
  });

  it('rejects a zero slide period and picks nothing from an empty set', () => {
    assert.throws(
      () => shortestResponsePolicy({ slidePeriodMs: 0 }, 'c.sr'),
      /c\.sr\.slidePeriodMs: must be greater than 0/,
    );
    assert.equal(
      shortestResponsePolicy({}, 'lb')
        .build([], { random: seededRandom(1) })
        .pick(),
      undefined,
    );
  });
});
