// Where calls wait for a mesh client's first complete config (gRFC A74 snapshot) and learn that
// there is none to wait for: a call made before the first snapshot waits, within its deadline
// and until it is cancelled; a config error with nothing usable fails it with UNAVAILABLE, as
// gRPC fails calls on a channel in TRANSIENT_FAILURE.

import { Code, RpcError } from '@shoal/rpc/client';
import type { Clock, TimerHandle } from '../support/clock.js';

interface Waiter<C> {
  resolve(config: C): void;
  reject(error: RpcError): void;
}

export class ConfigGate<C> {
  private value: C | undefined;
  private failure: RpcError | undefined;
  private readonly waiters = new Set<Waiter<C>>();

  constructor(
    private readonly clock: Clock,
    /** Names the target in errors. */
    private readonly target: string,
  ) {}

  /** The config calls use now. */
  get current(): C | undefined {
    return this.value;
  }

  /** A new config: waiting calls go on with it. */
  publish(config: C): void {
    this.value = config;
    this.failure = undefined;
    for (const w of [...this.waiters]) w.resolve(config);
  }

  /**
   * No usable config: waiting calls fail, and so do new ones until a config comes. With `drop`
   * the current config is given up too (the listener is gone); otherwise it stays in use.
   */
  fail(error: RpcError, drop: boolean): void {
    if (drop) this.value = undefined;
    if (this.value !== undefined) return;
    this.failure = error;
    for (const w of [...this.waiters]) w.reject(error);
  }

  /** The current config, or one to come; rejects per the rules above. */
  wait(signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<C> {
    if (this.value !== undefined) return Promise.resolve(this.value);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const done = () => {
        this.waiters.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
        if (timer !== undefined) this.clock.clearTimeout(timer);
      };
      const waiter: Waiter<C> = {
        resolve: (c) => {
          done();
          resolve(c);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      const onAbort = () =>
        waiter.reject(
          new RpcError(Code.CANCELLED, `call cancelled while waiting for the xDS config of ${this.target}`),
        );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined)
        timer = this.clock.setTimeout(
          () =>
            waiter.reject(
              new RpcError(
                Code.DEADLINE_EXCEEDED,
                `deadline exceeded after ${timeoutMs}ms waiting for the xDS config of ${this.target}`,
              ),
            ),
          timeoutMs,
        );
      this.waiters.add(waiter);
    });
  }
}
