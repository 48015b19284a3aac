import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startQpsSchedule } from './qps-schedule.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('qps schedule', () => {
  it('ticks at the asked rate, evenly, and stops', async () => {
    const ticks: number[] = [];
    const start = performance.now();
    const schedule = startQpsSchedule(50, () => ticks.push(performance.now()));
    await sleep(600);
    schedule.stop();
    const count = ticks.length;
    assert.ok(count >= 18 && count <= 32, `${count} ticks in 600 ms at 50 qps`);
    // Never ahead of the schedule: tick n comes no sooner than n intervals after the start, so a
    // late tick is followed by a shorter gap, never by extra ticks (timers may fire a ms or two early).
    for (const [n, t] of ticks.entries()) {
      assert.ok(t - start >= n * 20 - 3, `tick ${n} at ${(t - start).toFixed(1)} ms`);
    }
    await sleep(100);
    assert.equal(ticks.length, count, 'ticked after stop()');
  });

  it('drops ticks missed while the process was busy instead of sending them in a burst', async () => {
    const ticks: number[] = [];
    const schedule = startQpsSchedule(100, () => ticks.push(performance.now()));
    await sleep(50);
    const busyUntil = performance.now() + 200;
    while (performance.now() < busyUntil) {
      // block the event loop for 200 ms (20 ticks due)
    }
    const resumed = performance.now();
    await sleep(50);
    schedule.stop();
    const burst = ticks.filter((t) => t >= resumed && t < resumed + 8).length;
    assert.ok(burst <= 2, `${burst} ticks within 8 ms after a 200 ms stall`);
  });

  it('rejects a rate that is not positive', () => {
    assert.throws(() => startQpsSchedule(0, () => {}), /qps must be positive, got 0/);
  });
});
