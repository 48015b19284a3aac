// Retries (gRFC A44 on top of gRFC A6; Envoy: config.route.v3.RetryPolicy).
//
// retry_on: gRPC retries on status codes only. The names `cancelled`, `deadline-exceeded`,
// `internal`, `resource-exhausted` and `unavailable` map to those codes. Envoy's HTTP and
// transport conditions (`5xx`, `gateway-error`, `reset`, `connect-failure`, `refused-stream`,
// `retriable-4xx`, `retriable-status-codes`, `retriable-headers`, …) do not apply to a gRPC client
// and are ignored, as A44 says: so Istio's default
// `connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes` reads as
// {UNAVAILABLE, CANCELLED}. A failed connection surfaces as UNAVAILABLE anyway. Ignored and
// unknown names are kept on the parsed policy for debugging; neither is an error.
//
// Attempts: num_retries (default 1) + 1, capped at 5 as in A6 (maxAttemptsCap changes the cap).
// Backoff: the n-th retry waits random(0, min(base × 2^(n−1), max)); base_interval defaults to
// 25 ms and max_interval to 10 × base. A server's `grpc-retry-pushback-ms` overrides the wait
// (and a negative or malformed one stops retrying); per_try_timeout is ignored, as in A44.
//
// Commit point: an attempt calls commit() when it receives response headers that are not a
// trailers-only error, or any response message. After that its outcome is final: nothing is
// retried, even a later retryable status, because the application may have seen the data.

import { Code, RpcError } from '@shoal/rpc/client';
import { asObject, ConfigErrors, readInt, readMs } from '../lb/config-error.js';
import type { Clock } from '../support/clock.js';
import { sleep, systemClock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';
import type { Release } from './circuit-breaker.js';

export interface RetryPolicySettings {
  /** Comma-separated, as in Envoy, or a list. */
  retryOn?: string | string[];
  numRetries?: number;
  baseIntervalMs?: number;
  maxIntervalMs?: number;
}

export interface RetryPolicy {
  readonly retryableCodes: ReadonlySet<Code>;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseIntervalMs: number;
  readonly maxIntervalMs: number;
  /** Envoy conditions that have no meaning for gRPC. */
  readonly ignoredConditions: readonly string[];
  /** Names that are not retry_on conditions at all (typos?). */
  readonly unknownConditions: readonly string[];
}

const codeConditions: Readonly<Record<string, Code>> = {
  cancelled: Code.CANCELLED,
  'deadline-exceeded': Code.DEADLINE_EXCEEDED,
  internal: Code.INTERNAL,
  'resource-exhausted': Code.RESOURCE_EXHAUSTED,
  unavailable: Code.UNAVAILABLE,
};

const httpConditions: ReadonlySet<string> = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'envoy-ratelimited',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'http3-post-connect-failure',
]);

export function parseRetryPolicy(
  settings: unknown,
  path = 'retryPolicy',
  options: { maxAttemptsCap?: number } = {},
): RetryPolicy {
  const errors = new ConfigErrors('retry policy');
  const o = asObject(errors, settings, path);
  const codes = new Set<Code>();
  const ignored: string[] = [];
  const unknown: string[] = [];
  const rawOn = o.retryOn;
  let names: string[] = [];
  if (typeof rawOn === 'string') names = rawOn.split(',');
  else if (Array.isArray(rawOn) && rawOn.every((x) => typeof x === 'string')) names = rawOn as string[];
  else if (rawOn !== undefined)
    errors.add(`${path}.retryOn`, 'must be a comma-separated string or a list of strings');
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    const code = codeConditions[name];
    if (code !== undefined) codes.add(code);
    else if (httpConditions.has(name)) ignored.push(name);
    else unknown.push(name);
  }
  const numRetries = readInt(errors, o, 'numRetries', path, 1, 0, 0xffffffff);
  const baseIntervalMs = readMs(errors, o, 'baseIntervalMs', path, 25);
  if (o.baseIntervalMs === 0) errors.add(`${path}.baseIntervalMs`, 'must be greater than 0');
  const maxIntervalMs = readMs(errors, o, 'maxIntervalMs', path, baseIntervalMs * 10);
  if (maxIntervalMs < baseIntervalMs)
    errors.add(
      `${path}.maxIntervalMs`,
      `must not be less than baseIntervalMs (${maxIntervalMs} < ${baseIntervalMs})`,
    );
  errors.throwIfAny();
  return {
    retryableCodes: codes,
    maxAttempts: Math.min(numRetries + 1, options.maxAttemptsCap ?? 5),
    baseIntervalMs,
    maxIntervalMs,
    ignoredConditions: ignored,
    unknownConditions: unknown,
  };
}

/** The wait before retry number `retry` (1 = the first retry): random(0, min(base × 2^(retry−1), max)). */
export function backoffMs(policy: RetryPolicy, retry: number, random: Random): number {
  const cap = Math.min(policy.baseIntervalMs * 2 ** Math.max(0, retry - 1), policy.maxIntervalMs);
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
  policy: RetryPolicy,
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
  private readonly commit = () => {
    this.committed = true;
  };

  constructor(
    private readonly policy: RetryPolicy,
    private readonly attempt: (ctx: AttemptContext) => Promise<T>,
    private readonly options: RetryOptions,
  ) {}

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
    if (this.committed || !policy.retryableCodes.has(error.code) || n >= policy.maxAttempts) throw error;
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
