import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, sleep, systemClock } from './clock.js';

describe('ManualClock', () => {
  it('fires timeouts and intervals in time order, each at its own time', () => {
    const clock = new ManualClock(100);
    const log: string[] = [];
    clock.setTimeout(() => log.push(`t30@${clock.now()}`), 30);
    const every = clock.setInterval(() => log.push(`i20@${clock.now()}`), 20);
    clock.advance(65);
    assert.deepEqual(log, ['i20@120', 't30@130', 'i20@140', 'i20@160']);
    assert.equal(clock.now(), 165);
    clock.clearInterval(every);
    clock.advance(100);
    assert.equal(log.length, 4);
    assert.equal(clock.pending, 0);
  });

  it('runs timers scheduled by timers within the same advance', () => {
    const clock = new ManualClock();
    const log: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => log.push(clock.now()), 5), 5);
    clock.advance(10);
    assert.deepEqual(log, [10]);
  });
});

describe('sleep', () => {
  it('resolves when the clock reaches the time', async () => {
    const clock = new ManualClock();
    let done = false;
    const p = sleep(clock, 50).then(() => {
      done = true;
    });
    clock.advance(49);
    await Promise.resolve();
    assert.equal(done, false);
    clock.advance(1);
    await p;
    assert.equal(done, true);
  });

  it('rejects with the abort reason and clears its timer', async () => {
    const clock = new ManualClock();
    const ac = new AbortController();
    const p = sleep(clock, 50, ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
    assert.equal(clock.pending, 0);
    await assert.rejects(sleep(clock, 1, ac.signal), /stop/);
  });

  it('works on the system clock without holding the process', async () => {
    const start = systemClock.now();
    await sleep(systemClock, 5);
    assert.ok(systemClock.now() - start >= 4);
  });
});
