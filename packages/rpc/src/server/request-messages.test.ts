import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { Code } from '../code.js';
import { gzip } from '../compression.js';
import { encodeEnvelope } from '../envelope.js';
import type { MessageQueue } from '../message-queue.js';
import { MessageReader } from '../message-reader.js';
import { RpcError } from '../rpc-error.js';
import { RequestMessages } from './request-messages.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const frame = (s: string) => encodeEnvelope(Buffer.from(s, 'utf8'));

/** The messages, fed the way a call feeds them (DATA chunks, then the end) from a Readable. */
function setup(maxBytes = 1024) {
  const stream = new PassThrough();
  const requests = new RequestMessages(stream, new MessageReader(maxBytes, gzip, text));
  stream.on('data', (chunk: Buffer) => requests.onData(chunk));
  stream.on('end', () => requests.onEnd());
  return { stream, requests, messages: requests.messages };
}

async function take(messages: MessageQueue<string>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await messages.next();
    assert.equal(r.done, false);
    out.push(r.value as string);
  }
  return out;
}

describe('RequestMessages', () => {
  it('delivers messages in order across chunks, then done when the stream ends', async () => {
    const { stream, messages } = setup();
    const pending = messages.next(); // waiting before anything arrives
    const both = Buffer.concat([frame('a'), frame('bc')]);
    stream.write(both.subarray(0, 3));
    stream.write(both.subarray(3));
    stream.end(frame('d'));
    assert.deepEqual(await pending, { value: 'a', done: false });
    assert.deepEqual(await take(messages, 2), ['bc', 'd']);
    assert.equal((await messages.next()).done, true);
    assert.equal((await messages.next()).done, true);
  });

  it('pauses the stream while 16 messages wait unread, and resumes as they are taken', async () => {
    const { stream, messages } = setup();
    const sent = Array.from({ length: 40 }, (_, i) => `m${i}`);
    for (const s of sent) stream.write(frame(s));
    await new Promise((r) => setImmediate(r));
    assert.ok(stream.isPaused(), 'paused with a backlog');
    const got = await take(messages, 40);
    assert.deepEqual(got, sent);
    assert.ok(!stream.isPaused(), 'flowing again once taken');
    stream.end();
    assert.equal((await messages.next()).done, true);
  });

  it('a bad frame: the messages before it, then INTERNAL', async () => {
    const { stream, messages } = setup();
    const bad = Buffer.from([2, 0, 0, 0, 1, 0]); // compressed flag 2 does not exist
    stream.write(frame('ok'));
    stream.write(bad); // in a chunk of its own: a chunk with a bad frame yields nothing
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await take(messages, 1), ['ok']);
    await assert.rejects(
      messages.next(),
      (err: unknown) => err instanceof RpcError && err.code === Code.INTERNAL,
    );
  });

  it('a stream that ends inside a message fails with INTERNAL', async () => {
    const { stream, messages } = setup();
    stream.end(frame('truncated').subarray(0, 7));
    await assert.rejects(
      messages.next(),
      (err: unknown) => err instanceof RpcError && err.code === Code.INTERNAL,
    );
  });

  it('a message that does not decompress fails with INTERNAL when taken, never as an unhandled rejection', async () => {
    const { stream, messages } = setup();
    let unhandled = 0;
    const count = () => unhandled++;
    process.on('unhandledRejection', count);
    try {
      stream.write(encodeEnvelope(Buffer.from('not gzip'), true));
      stream.write(encodeEnvelope(await gzip.compress(Buffer.from('zipped')), true));
      await new Promise((r) => setTimeout(r, 20)); // the failed decompression settles unread
      await assert.rejects(
        messages.next(),
        (err: unknown) => err instanceof RpcError && err.code === Code.INTERNAL,
      );
      assert.deepEqual(await messages.next(), { value: 'zipped', done: false });
      assert.equal(unhandled, 0);
    } finally {
      process.off('unhandledRejection', count);
    }
  });

  it('fail() (the call was cancelled) rejects a pending read with the reason; later reads too', async () => {
    const { requests, messages } = setup();
    const pending = messages.next();
    const reason = new RpcError(Code.CANCELLED, 'call cancelled by the client');
    requests.fail(reason);
    await assert.rejects(pending, (err) => err === reason);
    await assert.rejects(messages.next(), (err) => err === reason);
  });

  it('fail() after the request side ended changes nothing', async () => {
    const { stream, requests, messages } = setup();
    stream.end(frame('last'));
    assert.deepEqual(await take(messages, 1), ['last']);
    assert.equal((await messages.next()).done, true);
    requests.fail(new RpcError(Code.CANCELLED, 'late'));
    assert.equal((await messages.next()).done, true);
  });

  it('return(): what is left is read and dropped, so the stream still reaches its end', async () => {
    const { stream, messages } = setup();
    for (let i = 0; i < 20; i++) stream.write(frame(`m${i}`));
    await new Promise((r) => setImmediate(r));
    assert.ok(stream.isPaused());
    assert.deepEqual(await messages.return(), { value: undefined, done: true });
    assert.ok(!stream.isPaused(), 'flowing again, to be drained');
    stream.write(Buffer.from([2, 2, 2])); // even garbage is only dropped now
    const ended = new Promise((r) => stream.once('end', r));
    stream.end(frame('after'));
    await ended;
    assert.equal((await messages.next()).done, true);
  });
});
