// The messages of a streamed request (server side) or response (client side), between the reader
// of the stream (gRPC: PROTOCOL-HTTP2, Length-Prefixed-Message) and the one consumer iterating
// them. The reader pushes messages (one still being decompressed is a promise; order is kept),
// then ends or fails the queue; an error comes after the messages read before it. A hand-written
// async iterator rather than async generators: a long-lived stream (an xDS subscription) waits
// with one pending promise, not suspended generators with their promise chains, which were a
// large part of a server's memory per idle stream. It knows nothing of the stream it is read from:
// flow control and early exits reach the owner through its hooks. Internal.

import { Code } from './code.js';
import { RpcError } from './rpc-error.js';

export interface MessageQueueHooks {
  /** `highWater` messages wait unread: stop reading (HTTP/2 flow control then applies). */
  pause(): void;
  /** The consumer has caught up (below half the high-water mark): read on. */
  resume(): void;
  /** The consumer stopped (break, throw) before the end; what is left is dropped. */
  abandoned?(): void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

const ignore = () => {};

export class MessageQueue<T> implements AsyncIterableIterator<T> {
  /** Messages read but not yet taken; made on the first one. */
  private queue: (T | Promise<T>)[] | undefined;
  private resolve: ((result: IteratorResult<T> | Promise<IteratorResult<T>>) => void) | undefined;
  private reject: ((error: unknown) => void) | undefined;
  /** No more messages: the stream ended or failed. */
  private ended = false;
  private error: unknown;
  private abandoned = false;
  private paused = false;

  constructor(
    private readonly hooks: MessageQueueHooks,
    private readonly highWater = 16,
  ) {}

  /** False once the queue has ended, failed or been abandoned: nothing more is taken. */
  get open(): boolean {
    return !this.ended && !this.abandoned;
  }

  push(message: T | Promise<T>): void {
    if (!this.open) return;
    // Nobody may take a failed decompression for a while: it must not count as unhandled.
    if (message instanceof Promise) message.catch(ignore);
    if (this.resolve) {
      this.settle(result(message));
      return;
    }
    this.queue ??= [];
    this.queue.push(message);
    if (this.queue.length >= this.highWater && !this.paused) {
      this.paused = true;
      this.hooks.pause();
    }
  }

  /** The stream ended: the consumer gets what is queued, then done. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.resolve && !this.queue?.length) this.settle(DONE);
  }

  /** The stream failed (a bad frame, the call was cancelled): after what is queued, `error`. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    const reject = this.reject;
    if (reject) {
      this.resolve = undefined;
      this.reject = undefined;
      reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    const queue = this.queue;
    if (queue && queue.length > 0) {
      const message = queue.shift()!;
      if (this.paused && queue.length < this.highWater / 2) {
        this.paused = false;
        this.hooks.resume();
      }
      return Promise.resolve(result(message));
    }
    if (this.abandoned) return Promise.resolve(DONE);
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** The consumer stopped early: what is left is dropped, and the owner told if the stream is still open. */
  return(): Promise<IteratorResult<T>> {
    if (!this.abandoned) {
      this.abandoned = true;
      this.queue = undefined;
      if (this.paused) {
        this.paused = false;
        this.hooks.resume();
      }
      if (!this.ended) this.hooks.abandoned?.();
    }
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settle(value: IteratorResult<T> | Promise<IteratorResult<T>>): void {
    const resolve = this.resolve!;
    this.resolve = undefined;
    this.reject = undefined;
    resolve(value);
  }
}

function result<T>(message: T | Promise<T>): IteratorResult<T> | Promise<IteratorResult<T>> {
  if (message instanceof Promise) {
    return message.then(
      (value) => ({ value, done: false }),
      (err) => {
        throw RpcError.from(err, Code.INTERNAL);
      },
    );
  }
  return { value: message, done: false };
}
