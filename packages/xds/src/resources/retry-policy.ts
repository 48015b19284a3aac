// gRFC A44 xDS retry: Envoy's route.v3.RetryPolicy as a plain model.
import type { RetryPolicy } from '../gen/envoy/config/route/v3/route_components_pb.js';
import { at, type Problems } from './decode-result.js';
import { durationToMs } from './values.js';

/** The gRPC status names A44 supports in `retry_on`, with their codes; other policy names are ignored. */
const CODES: ReadonlyMap<string, number> = new Map([
  ['cancelled', 1],
  ['deadline-exceeded', 4],
  ['internal', 13],
  ['resource-exhausted', 8],
  ['unavailable', 14],
]);

/** A route's (or virtual host's) retry policy. */
export interface XdsRetryPolicy {
  /** gRPC status codes that trigger a retry (numbers, e.g. 14 for UNAVAILABLE). */
  readonly retryOn: readonly number[];
  /** Total attempts including the first: num_retries + 1 (num_retries defaults to 1). */
  readonly maxAttempts: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Envoy's per-try timeout; gRPC ignores it, Envoy honours it. */
  readonly perTryTimeoutMs?: number;
}

export function decodeRetryPolicy(
  r: RetryPolicy,
  path: string,
  problems: Problems,
): XdsRetryPolicy | undefined {
  const before = problems.errors.length;
  const retryOn = r.retryOn
    .split(',')
    .map((s) => CODES.get(s.trim()))
    .filter((c): c is number => c !== undefined);
  const numRetries = r.numRetries ?? 1;
  if (numRetries < 1) problems.add(at(path, 'num_retries'), 'must be at least 1');
  let baseBackoffMs = 25;
  let maxBackoffMs: number | undefined;
  if (r.retryBackOff) {
    const p = at(path, 'retry_back_off');
    if (!r.retryBackOff.baseInterval) {
      problems.add(at(p, 'base_interval'), 'is required');
    } else {
      baseBackoffMs =
        durationToMs(r.retryBackOff.baseInterval, at(p, 'base_interval'), problems) ?? baseBackoffMs;
      if (baseBackoffMs <= 0) problems.add(at(p, 'base_interval'), 'must be greater than 0');
    }
    maxBackoffMs = durationToMs(r.retryBackOff.maxInterval, at(p, 'max_interval'), problems);
    if (maxBackoffMs !== undefined && maxBackoffMs < baseBackoffMs) {
      problems.add(at(p, 'max_interval'), 'must not be less than base_interval');
    }
  }
  const perTryTimeoutMs = durationToMs(r.perTryTimeout, at(path, 'per_try_timeout'), problems);
  // A44: with no gRPC code to retry on, there is no retry policy at all (not an error).
  if (problems.errors.length > before || retryOn.length === 0) return undefined;
  return {
    retryOn: [...new Set(retryOn)],
    maxAttempts: numRetries + 1,
    baseBackoffMs,
    maxBackoffMs: maxBackoffMs ?? baseBackoffMs * 10,
    ...(perTryTimeoutMs !== undefined && { perTryTimeoutMs }),
  };
}
