import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from './code.js';
import { MessageQueue } from './message-queue.js';
import { RpcError } from './rpc-error.js';

/** A queue whose hooks write what they were told into `events`. */
function setup(highWater = 4) {
  const events: string[] = [];
  const queue = new MessageQueue<string>(
    {
      pause: () => events.push('pause'),
      resume: () => events.push('resume'),
      abandoned: () => events.push('abandoned'),
    },
    highWater,
  );
  return { queue, events };
}

describe('MessageQueue', () => {
  it('hands a waiting consumer the next message at once, and keeps order with decompressing ones', async () => {
    const { queue } = setup();
    const first = queue.next();
    queue.push('a');
    queue.push(new Promise((r) => setTimeout(() => r('b'), 10)));
    queue.push('c');
    queue.end();
    const got: string[] = [];
    assert.deepEqual(await first, { value: 'a', done: false });
    for await (const m of queue) got.push(m);
    assert.deepEqual(got, ['b', 'c']);
  });

  it('pauses the owner at the high-water mark and resumes it below half of it', async () => {
    const { queue, events } = setup(4);
    for (const m of ['1', '2', '3', '4', '5']) queue.push(m);
    assert.deepEqual(events, ['pause']);
    await queue.next(); // 4 left
    await queue.next(); // 3 left
    assert.deepEqual(events, ['pause']);
    await queue.next(); // 2 left
    await queue.next(); // 1 left: below 2
    assert.deepEqual(events, ['pause', 'resume']);
  });

  it('tells the owner when the consumer stops before the end, and not after it', async () => {
    const early = setup();
    early.queue.push('a');
    early.queue.push('b');
    for await (const _ of early.queue) break;
    assert.deepEqual(early.events, ['abandoned']);
    early.queue.push('late');
    assert.equal((await early.queue.next()).done, true, 'what is left is dropped');
    const late = setup();
    late.queue.push('a');
    late.queue.end();
    for await (const _ of late.queue) break;
    assert.deepEqual(late.events, [], 'the stream had ended: nothing to cancel');
  });

  it('fails after the messages read before the error, and ignores pushes after it', async () => {
    const { queue } = setup();
    queue.push('a');
    const reason = new RpcError(Code.INTERNAL, 'bad frame');
    queue.fail(reason);
    queue.push('b');
    assert.deepEqual(await queue.next(), { value: 'a', done: false });
    await assert.rejects(queue.next(), (e) => e === reason);
  });
});
