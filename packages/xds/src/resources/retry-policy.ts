// gRFC A44 xDS retry: Envoy's route.v3.RetryPolicy as a plain model, with its defaults set here.
//
// retry_on: gRPC retries on status codes only. The names `cancelled`, `deadline-exceeded`,
// `internal`, `resource-exhausted` and `unavailable` (trimmed, in any case, as grpc-go reads them)
// map to those codes. Envoy's HTTP and transport conditions (`5xx`, `gateway-error`, `reset`,
// `connect-failure`, `refused-stream`, `retriable-4xx`, `retriable-status-codes`, …) do not apply
// to a gRPC client and are ignored, as A44 says: so Istio's default
// `connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes` reads as
// {UNAVAILABLE, CANCELLED}. Ignored and unknown names are kept on the model for debugging; neither
// is an error. A policy that names no gRPC code is no policy at all (A44).
// Attempts: num_retries (default 1, at least 1 per A44) + 1. The client caps them (gRFC A6: 5).
// Backoff: base_interval defaults to 25 ms, max_interval to 10 × base (A44, as Envoy).
import type { RetryPolicy } from '../gen/envoy/config/route/v3/route_components_pb.js';
import { at, type Problems } from './decode-result.js';
import { durationToMs } from './values.js';

/** The gRPC status names A44 supports in `retry_on`, with their codes. */
const CODES: ReadonlyMap<string, number> = new Map([
  ['cancelled', 1],
  ['deadline-exceeded', 4],
  ['internal', 13],
  ['resource-exhausted', 8],
  ['unavailable', 14],
]);

/** Envoy's HTTP and transport retry conditions, which mean nothing to a gRPC client. */
const HTTP_CONDITIONS: ReadonlySet<string> = new Set([
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

/** A route's (or virtual host's) retry policy. */
export interface XdsRetryPolicy {
  /** gRPC status codes that trigger a retry (numbers, e.g. 14 for UNAVAILABLE), never empty. */
  readonly retryOn: readonly number[];
  /** Total attempts including the first: num_retries + 1 (num_retries defaults to 1). */
  readonly maxAttempts: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Envoy's per-try timeout; gRPC ignores it, Envoy honours it. */
  readonly perTryTimeoutMs?: number;
  /** Envoy conditions in retry_on that have no meaning for gRPC. */
  readonly ignoredConditions: readonly string[];
  /** Names in retry_on that are no retry condition at all (typos?). */
  readonly unknownConditions: readonly string[];
}

export function decodeRetryPolicy(
  r: RetryPolicy,
  path: string,
  problems: Problems,
): XdsRetryPolicy | undefined {
  const before = problems.errors.length;
  const retryOn = new Set<number>();
  const ignoredConditions: string[] = [];
  const unknownConditions: string[] = [];
  for (const raw of r.retryOn.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    const code = CODES.get(name);
    if (code !== undefined) retryOn.add(code);
    else if (HTTP_CONDITIONS.has(name)) ignoredConditions.push(name);
    else unknownConditions.push(name);
  }
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
  if (problems.errors.length > before || retryOn.size === 0) return undefined;
  return {
    retryOn: [...retryOn],
    maxAttempts: numRetries + 1,
    baseBackoffMs,
    maxBackoffMs: maxBackoffMs ?? baseBackoffMs * 10,
    ...(perTryTimeoutMs !== undefined && { perTryTimeoutMs }),
    ignoredConditions,
    unknownConditions,
  };
}
