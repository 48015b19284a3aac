// gRPC connection backoff: growth, cap, jitter bounds and reset.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Backoff } from './backoff.js';

it('grows 1.6x from 1 s up to the 120 s cap without jitter', () => {
  const b = new Backoff({ random: () => 0.5 });
  const delays = Array.from({ length: 14 }, () => b.next());
  assert.deepEqual(delays.slice(0, 5), [1000, 1600, 2560, 4096, 6554]);
  assert.equal(delays.at(-1), 120_000);
  assert.ok(delays.every((d, i) => i === 0 || d >= (delays[i - 1] ?? 0)));
});

it('keeps the first delay exact and jitters the later ones by at most 20% both ways', () => {
  const low = new Backoff({ random: () => 0 });
  assert.deepEqual([low.next(), low.next(), low.next()], [1000, 1280, 2048]);
  const high = new Backoff({ random: () => 0.999999 });
  assert.deepEqual([high.next(), high.next()], [1000, 1920]);
  const b = new Backoff();
  for (let i = 0; i < 200; i++) {
    assert.equal(b.next(), 1000);
    const d = b.next();
    assert.ok(d >= 1280 && d <= 1920, `delay ${d} out of bounds`);
    b.reset();
  }
});

it('starts over after reset', () => {
  const b = new Backoff({ random: () => 0.5 });
  for (let i = 0; i < 8; i++) b.next();
  b.reset();
  assert.equal(b.next(), 1000);
});

it('rejects nonsense settings', () => {
  assert.throws(() => new Backoff({ multiplier: 0.5 }), /multiplier/);
  assert.throws(() => new Backoff({ baseMs: 10, maxMs: 5 }), /maxMs/);
  assert.throws(() => new Backoff({ jitter: 1 }), /jitter/);
});

it('probes every quarter base delay for one base delay after a healthy connection, then backs off from 1 s', () => {
  let now = 0;
  const b = new Backoff({ random: () => 0.5, now: () => now });
  for (let i = 0; i < 6; i++) b.next(); // grown
  b.resetAfterHealthy();
  const delays: number[] = [];
  while (delays.length < 7) {
    const probing = b.probing;
    const d = b.next();
    delays.push(probing ? -d : d); // probes as negative numbers, to tell them apart
    now += d;
  }
  assert.deepEqual(delays, [-250, -250, -250, -250, 1000, 1600, 2560]);
  b.reset();
  assert.equal(b.probing, false);
  assert.equal(b.next(), 1000);
});
