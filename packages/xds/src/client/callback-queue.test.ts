// The serial watcher-callback queue: order, no overlap across async callbacks, errors contained.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CallbackQueue } from './callback-queue.js';

it('runs callbacks one at a time in order, waiting for async ones, and reports throws', async () => {
  const errors: unknown[] = [];
  const queue = new CallbackQueue((e) => errors.push(e));
  const log: string[] = [];
  let active = 0;
  const step = (name: string, ms: number) => async () => {
    assert.equal(active++, 0, `${name} overlaps another callback`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(name);
    active--;
  };
  queue.push(step('slow', 30));
  queue.push(() => {
    log.push('sync');
    throw new Error('boom');
  });
  queue.push(step('fast', 1));
  queue.push(() => {
    queue.push(() => void log.push('queued by a callback'));
    return Promise.reject(new Error('async boom'));
  });
  assert.deepEqual(log, [], 'nothing runs synchronously inside push');
  await queue.idle();
  assert.deepEqual(log, ['slow', 'sync', 'fast', 'queued by a callback']);
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['boom', 'async boom'],
  );
  await queue.idle(); // idle when idle resolves at once
});
