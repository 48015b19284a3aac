// The request messages of a client- or bidi-streaming call, read off the HTTP/2 stream's DATA
// (gRPC: PROTOCOL-HTTP2, Length-Prefixed-Message), which the call hands to onData() and onEnd(),
// into a MessageQueue: the stream is paused while the handler lags, and when the handler stops
// reading, what is left keeps flowing to the stream's end and is dropped (resetting the stream
// would lose the status). Internal.

import { Code } from '../code.js';
import { MessageQueue } from '../message-queue.js';
import type { MessageReader } from '../message-reader.js';
import { RpcError } from '../rpc-error.js';
import type { CallStream } from '../wire.js';

/** Messages read ahead of the handler before the stream is paused (HTTP/2 flow control then applies). */
const HIGH_WATER = 16;

export class RequestMessages<T> {
  /** What the handler iterates. */
  readonly messages: MessageQueue<T>;

  constructor(
    stream: Pick<CallStream, 'pause' | 'resume'>,
    private readonly reader: MessageReader<T>,
  ) {
    this.messages = new MessageQueue<T>(
      { pause: () => stream.pause(), resume: () => stream.resume() },
      HIGH_WATER,
    );
  }

  private readonly push = (message: T | Promise<T>) => this.messages.push(message);

  onData(chunk: Buffer): void {
    const queue = this.messages;
    if (!queue.open) return;
    try {
      this.reader.each(chunk, this.push);
    } catch (err) {
      queue.fail(RpcError.from(err, Code.INTERNAL));
    }
  }

  onEnd(): void {
    const queue = this.messages;
    if (!queue.open) return;
    try {
      this.reader.end();
    } catch (err) {
      queue.fail(RpcError.from(err, Code.INTERNAL));
      return;
    }
    queue.end();
  }

  /**
   * Ends the messages with an error, after those already read: the call was cancelled (the client
   * reset the stream or went away, the deadline passed) before the request side ended.
   */
  fail(error: unknown): void {
    this.messages.fail(error);
  }
}
