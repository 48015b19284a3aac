// Retries (gRFC A44 on top of gRFC A6; Envoy: config.route.v3.RetryPolicy), run on the policy
// as @shoal/xds decoded it (retry_on codes, attempts and backoff, with their defaults, are read
// there). Attempts are capped at 5, as A6 caps maxAttempts (RetryOptions.maxAttempts changes the
// cap). Backoff: the n-th retry waits random(0, min(base × 2^(n−1), max)). A server's
// `grpc-retry-pushback-ms` overrides the wait (and a negative or malformed one stops retrying);
// per_try_timeout is ignored, as in A44.
//
// Commit point: an attempt calls commit() when it receives response headers that are not a
// trailers-only error, or any response message. After that its outcome is final: nothing is
// retried, even a later retryable status, because the application may have seen the data.

import { Code, RpcError } from '@shoal/rpc/client';
import type { XdsRetryPolicy } from '@shoal/xds/plugins';
import type { Clock } from '../support/clock.js';
import { sleep, systemClock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';
import type { Release } from './circuit-breaker.js';

/** gRFC A6: a policy's maxAttempts above this is treated as this. */
const MAX_ATTEMPTS_CAP = 5;

/** The wait before retry number `retry` (1 = the first retry): random(0, min(base × 2^(retry−1), max)). */
export function backoffMs(policy: XdsRetryPolicy, retry: number, random: Random): number {
  const cap = Math.min(policy.baseBackoffMs * 2 ** Math.max(0, retry - 1), policy.maxBackoffMs);
  return random() * cap;
}

export interface AttemptContext {
  /** 1 for the first attempt; send `grpc-previous-rpc-attempts: attempt − 1` on retries. */
  readonly attempt: number;
  readonly signal: AbortSignal | undefined;
  /** Marks the call committed: from now on its outcome is final. */
  commit(): void;
}

export interface RetryInfo {
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: RpcError;
}

export interface RetryOptions {
  readonly signal?: AbortSignal;
  /** The client's cap on attempts (gRFC A6); default 5. */
  readonly maxAttempts?: number;
  /** The call's deadline on `clock`'s time line; no retry is started that would wait past it. */
  readonly deadline?: number;
  readonly clock?: Clock;
  readonly random?: Random;
  /** The cluster's circuit breaker: a retry needs a max_retries slot, held while it runs. */
  readonly retryGate?: { tryAcquireRetry(): Release | undefined };
  readonly onRetry?: (info: RetryInfo) => void;
}

/** Runs `attempt` until it succeeds, commits, fails with a non-retryable error, or retries run out. */
export function runWithRetries<T>(
  policy: XdsRetryPolicy,
  attempt: (ctx: AttemptContext) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  return new RetryRun(policy, attempt, options).next(1);
}

/** One call's attempts. A first attempt that succeeds costs one `then`, nothing more. */
class RetryRun<T> {
  private committed = false;
  private retryRelease: Release | undefined;
  private backoffRetry = 0;
  private readonly maxAttempts: number;
  private readonly commit = () => {
    this.committed = true;
  };

  constructor(
    private readonly policy: XdsRetryPolicy,
    private readonly attempt: (ctx: AttemptContext) => Promise<T>,
    private readonly options: RetryOptions,
  ) {
    this.maxAttempts = Math.min(policy.maxAttempts, options.maxAttempts ?? MAX_ATTEMPTS_CAP);
  }

  next(n: number): Promise<T> {
    let result: Promise<T>;
    try {
      result = this.attempt({ attempt: n, signal: this.options.signal, commit: this.commit });
    } catch (err) {
      result = Promise.reject(err);
    }
    return result.then(
      (value) => {
        this.releaseRetrySlot();
        return value;
      },
      (err: unknown) => {
        this.releaseRetrySlot();
        return this.retryAfter(RpcError.from(err), n);
      },
    );
  }

  private releaseRetrySlot(): void {
    this.retryRelease?.();
    this.retryRelease = undefined;
  }

  /** After attempt `n` failed with `error`: waits and starts the next one, or gives the error up. */
  private async retryAfter(error: RpcError, n: number): Promise<T> {
    const { policy, options } = this;
    const signal = options.signal;
    if (this.committed || !policy.retryOn.includes(error.code) || n >= this.maxAttempts) throw error;
    if (signal?.aborted) throw cancelled(signal.reason);
    let delayMs: number;
    const pushback = error.metadata.getString('grpc-retry-pushback-ms');
    if (pushback !== undefined) {
      // A6: a valid pushback replaces the backoff and resets it; anything else means "do not retry".
      if (!/^\d+$/.test(pushback)) throw error;
      delayMs = Number(pushback);
      this.backoffRetry = 0;
    } else {
      this.backoffRetry++;
      delayMs = backoffMs(policy, this.backoffRetry, options.random ?? Math.random);
    }
    const clock = options.clock ?? systemClock;
    if (options.deadline !== undefined && clock.now() + delayMs >= options.deadline) throw error;
    if (options.retryGate) {
      this.retryRelease = options.retryGate.tryAcquireRetry();
      if (this.retryRelease === undefined) throw error;
    }
    options.onRetry?.({ attempt: n, delayMs, error });
    try {
      await sleep(clock, delayMs, signal);
    } catch (reason) {
      this.releaseRetrySlot();
      throw cancelled(reason);
    }
    return this.next(n + 1);
  }
}

function cancelled(reason: unknown): RpcError {
  if (reason instanceof RpcError) return reason;
  return new RpcError(Code.CANCELLED, 'call cancelled while waiting to retry', { cause: reason });
}
