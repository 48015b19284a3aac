// The request messages of a client- or bidi-streaming call, read off the HTTP/2 stream's DATA
// (gRPC: PROTOCOL-HTTP2, Length-Prefixed-Message), which the call hands to onData() and onEnd().
// A hand-written async iterator rather than async generators: a long-lived stream (an xDS
// subscription) then waits with one pending promise, not three suspended generators with their
// promise chains, which was a large part of a server's memory per idle stream. Internal.

import { Code } from '../code.js';
import type { MessageReader } from '../message-reader.js';
import { RpcError } from '../rpc-error.js';
import type { CallStream } from '../wire.js';

/** Messages read ahead of the handler before the stream is paused (HTTP/2 flow control then applies). */
const HIGH_WATER = 16;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

const ignore = () => {};

export class RequestMessages<T> implements AsyncIterableIterator<T> {
  /** Messages read but not yet taken; a compressed one is still being decompressed. */
  #queue: (T | Promise<T>)[] | undefined;
  #resolve: ((result: IteratorResult<T> | Promise<IteratorResult<T>>) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  /** The request side ended: no more messages. */
  #ended = false;
  #error: unknown;
  /** The handler stopped reading: what is left is read and dropped. */
  #abandoned = false;
  #paused = false;

  constructor(
    private readonly stream: Pick<CallStream, 'pause' | 'resume'>,
    private readonly reader: MessageReader<T>,
  ) {}

  onData(chunk: Buffer): void {
    if (this.#abandoned || this.#ended) return;
    try {
      for (const envelope of this.reader.envelopes(chunk)) this.#push(this.reader.message(envelope));
    } catch (err) {
      this.fail(RpcError.from(err, Code.INTERNAL));
    }
  }

  onEnd(): void {
    if (this.#ended) return;
    try {
      this.reader.end();
    } catch (err) {
      this.fail(RpcError.from(err, Code.INTERNAL));
      return;
    }
    this.#ended = true;
    if (this.#resolve && !this.#queue?.length) this.#settle(DONE);
  }

  #push(message: T | Promise<T>): void {
    // Nobody may take a failed decompression for a while: it must not count as unhandled.
    if (message instanceof Promise) message.catch(ignore);
    if (this.#resolve) {
      this.#settle(result(message));
      return;
    }
    this.#queue ??= [];
    this.#queue.push(message);
    if (this.#queue.length >= HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.stream.pause();
    }
  }

  #settle(value: IteratorResult<T> | Promise<IteratorResult<T>>): void {
    const resolve = this.#resolve!;
    this.#resolve = undefined;
    this.#reject = undefined;
    resolve(value);
  }

  /**
   * Ends the messages with an error: a bad frame, or the call was cancelled (the client reset the
   * stream or went away, the deadline passed) before the request side ended.
   */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error; // after the messages already read, in order
    const reject = this.#reject;
    if (reject) {
      this.#resolve = undefined;
      this.#reject = undefined;
      reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    const queue = this.#queue;
    if (queue && queue.length > 0) {
      const message = queue.shift()!;
      if (this.#paused && queue.length < HIGH_WATER / 2) {
        this.#paused = false;
        this.stream.resume();
      }
      return Promise.resolve(result(message));
    }
    if (this.#abandoned) return Promise.resolve(DONE);
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /**
   * The handler stopped reading (it failed, or read enough). The stream is not reset: that
   * would happen before the status goes out. It keeps flowing to its end (the status, when sent,
   * tells the client to stop); the rest is dropped.
   */
  return(): Promise<IteratorResult<T>> {
    if (!this.#abandoned) {
      this.#abandoned = true;
      this.#queue = undefined;
      if (this.#paused) {
        this.#paused = false;
        this.stream.resume();
      }
    }
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
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
