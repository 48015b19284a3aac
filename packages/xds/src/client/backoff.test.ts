// ADS reconnect backoff (gRFC A6 shape, capped at 4 s): growth, cap, full jitter, reset and probing,
// and the schedule over long outages on a fake clock: a returning control plane is always tried
// within 4 s, and clients that lost it together come back spread over the whole window.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Backoff, DEFAULT_MAX_BACKOFF_MS } from './backoff.js';

it('grows 1.6x from 1 s up to the 4 s cap (delays at their ceiling without jitter)', () => {
  const b = new Backoff({ jitter: 0 });
  const delays = Array.from({ length: 8 }, () => b.next());
  assert.deepEqual(delays, [1000, 1600, 2560, 4000, 4000, 4000, 4000, 4000]);
  assert.equal(DEFAULT_MAX_BACKOFF_MS, 4000);
});

it('draws each delay from the whole window [0, ceiling] (full jitter)', () => {
  const low = new Backoff({ random: () => 0.999999 });
  assert.deepEqual([low.next(), low.next()], [0, 0]);
  const half = new Backoff({ random: () => 0.5 });
  assert.deepEqual(
    [half.next(), half.next(), half.next(), half.next(), half.next()],
    [500, 800, 1280, 2000, 2000],
  );
  const b = new Backoff();
  const seen: number[] = [];
  for (let i = 0; i < 2000; i++) {
    for (let k = 0; k < 5; k++) b.next();
    const d = b.next(); // capped
    assert.ok(d >= 0 && d <= 4000, `delay ${d} out of bounds`);
    seen.push(d);
    b.reset();
  }
  // Spread over the window: every quarter of it gets about a quarter of the draws.
  for (let q = 0; q < 4; q++) {
    const n = seen.filter((d) => d >= q * 1000 && d < (q + 1) * 1000).length;
    assert.ok(n > 400 && n < 600, `quarter ${q}: ${n} of 2000`);
  }
});

it('starts over after reset, and rejects nonsense settings', () => {
  const b = new Backoff({ jitter: 0 });
  for (let i = 0; i < 8; i++) b.next();
  b.reset();
  assert.equal(b.next(), 1000);
  assert.throws(() => new Backoff({ multiplier: 0.5 }), /multiplier/);
  assert.throws(() => new Backoff({ baseMs: 10, maxMs: 5 }), /maxMs/);
  assert.throws(() => new Backoff({ jitter: 1.5 }), /jitter/);
  assert.equal(new Backoff({ baseMs: 10_000, jitter: 0 }).next(), 10_000, 'MAX follows a larger INITIAL');
});

it('probes every quarter base delay for one base delay after a healthy connection, then backs off from 1 s', () => {
  let now = 0;
  const b = new Backoff({ jitter: 0, now: () => now });
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
});

/** Attempt times of one client (fake clock) from the moment its stream ended, through `untilMs`. */
function attempts(seed: number, untilMs: number): number[] {
  let now = 0;
  let s = seed;
  const random = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31; // a small LCG: the same schedule on every run
    return s / 2 ** 31;
  };
  const b = new Backoff({ random, now: () => now });
  b.resetAfterHealthy(); // a stream that worked has just ended: A57 retries at once
  const times = [0];
  while (now <= untilMs) {
    now += b.next(); // refused at once: the next attempt counts from this one's start
    times.push(now);
  }
  return times;
}

it('tries a control plane that returns after any outage within 4 s (fake clock, outages up to a day)', () => {
  for (const outageMs of [30_000, 300_000, 3_600_000, 86_400_000]) {
    for (let seed = 1; seed <= 20; seed++) {
      const t = attempts(seed, outageMs + 5000);
      const first = t.find((x) => x >= outageMs);
      assert.ok(first !== undefined && first - outageMs <= 4000, `outage ${outageMs}: first try ${first}`);
      // The schedule never stalls: no gap past the cap at any point of the outage.
      for (let i = 1; i < t.length; i++) assert.ok(t[i]! - t[i - 1]! <= 4000);
    }
  }
});

it('spreads 10,000 clients that lost the control plane together over the window when it returns (fake clock)', () => {
  const outageMs = 30_000;
  const firstTry: number[] = [];
  for (let seed = 1; seed <= 10_000; seed++) {
    firstTry.push(attempts(seed * 7919, outageMs + 5000).find((x) => x >= outageMs)! - outageMs);
  }
  const perHalfSecond = Array.from(
    { length: 8 },
    (_, i) => firstTry.filter((d) => d >= i * 500 && d < (i + 1) * 500).length,
  );
  // Uniform would be 1,250 per half second (10,000 over 4 s): no slice takes more than twice that.
  assert.ok(Math.max(...perHalfSecond) < 2500, `arrivals per 0.5 s: ${perHalfSecond}`);
  assert.equal(
    perHalfSecond.reduce((a, b) => a + b, 0),
    10_000,
  );
});
