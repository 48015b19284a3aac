// The request messages of a client- or bidi-streaming call, read off the stream's 'data' events
// (gRPC: PROTOCOL-HTTP2, Length-Prefixed-Message) into a MessageQueue: the stream is paused while
// the handler lags, and when the handler stops reading, what is left keeps flowing to the
// stream's end and is dropped (node:http2 destroys a stream only once its readable side has
// ended, and resetting it would lose the status). Internal.

import type { Readable } from 'node:stream';
import { Code } from '../code.js';
import { MessageQueue } from '../message-queue.js';
import type { MessageReader } from '../message-reader.js';
import { RpcError } from '../rpc-error.js';

/** Messages read ahead of the handler before the stream is paused (HTTP/2 flow control then applies). */
const HIGH_WATER = 16;

export function readRequestMessages<T>(stream: Readable, reader: MessageReader<T>): MessageQueue<T> {
  const queue = new MessageQueue<T>(
    { pause: () => stream.pause(), resume: () => stream.resume() },
    HIGH_WATER,
  );
  stream.on('data', (chunk: Buffer) => {
    if (!queue.open) return;
    try {
      for (const envelope of reader.envelopes(chunk)) queue.push(reader.message(envelope));
    } catch (err) {
      queue.fail(RpcError.from(err, Code.INTERNAL));
    }
  });
  stream.on('end', () => {
    if (!queue.open) return;
    try {
      reader.end();
    } catch (err) {
      queue.fail(RpcError.from(err, Code.INTERNAL));
      return;
    }
    queue.end();
  });
  return queue;
}
