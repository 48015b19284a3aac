// Rules for the parts of an HTTP route: string matches, destinations, retries, faults, redirects,
// header operations. Istio: pkg/config/validation (validateHTTPRoute and its helpers).

import { codeFromName } from '@shoal/rpc';
import type { IssueCollector } from './issues.js';
import { joinPath } from './issues.js';
import type {
  Destination,
  HeaderOperations,
  HTTPFaultInjection,
  HTTPRetry,
  StringMatch,
} from './networking-types.js';
import {
  checkDurationField,
  checkPercent,
  checkPortNumber,
  checkWildcardDomain,
  isDNS1123Label,
} from './rules-common.js';

const HEADER_NAME = /^[-_A-Za-z0-9]+$/;

/** Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on policies (Istio: supportedRetryOnPolicies). */
const RETRY_ON = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

export const HTTP_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
]);

export function checkHeaderName(c: IssueCollector, path: string, name: string): void {
  if (name === '') c.invalid(path, name, 'header name cannot be empty');
  else if (!HEADER_NAME.test(name)) c.invalid(path, name, `header name ${name} is not a valid header name`);
}

/** RE2 (what Envoy and Istio use) has no lookaround and no backreferences; JS checks the rest. */
export function checkRegex(c: IssueCollector, path: string, re: string): void {
  if (re === '') {
    c.invalid(path, re, 'regex string match should not be empty');
    return;
  }
  if (re.length > 1024) {
    c.invalid(path, re, 'regex is too large, max length allowed is 1024');
    return;
  }
  if (/\(\?<?[=!]/.test(re) || /\\[1-9]/.test(re)) {
    c.invalid(path, re, 'lookaround and backreferences are not supported; Istio uses RE2 style regex');
    return;
  }
  try {
    new RegExp(re, 'u');
  } catch (err) {
    c.invalid(path, re, `${(err as Error).message}; Istio uses RE2 style regex`);
  }
}

export function checkStringMatch(c: IssueCollector, path: string, sm: StringMatch | undefined): void {
  if (!sm) return;
  const set = (['exact', 'prefix', 'regex'] as const).filter((k) => sm[k] !== undefined);
  if (set.length > 1)
    c.error(path, `only one of exact, prefix or regex can be set (found ${set.join(', ')})`);
  if (sm.regex !== undefined) checkRegex(c, joinPath(path, 'regex'), sm.regex);
}

export function checkDestination(c: IssueCollector, path: string, d: Destination | undefined): void {
  if (!d) return;
  const hostPath = joinPath(path, 'host');
  if (d.host === '*') c.invalid(hostPath, d.host, `invalid destination host ${d.host}`);
  else {
    const problem = checkWildcardDomain(d.host);
    if (problem) c.invalid(hostPath, d.host, problem);
  }
  if (d.subset !== undefined) checkSubsetName(c, joinPath(path, 'subset'), d.subset);
  if (d.port?.number !== undefined)
    checkPortNumber(c, joinPath(joinPath(path, 'port'), 'number'), d.port.number);
}

export function checkSubsetName(c: IssueCollector, path: string, name: string): void {
  if (name === '') c.invalid(path, name, 'subset name cannot be empty');
  else if (!isDNS1123Label(name)) c.invalid(path, name, `subset name is invalid: ${name}`);
}

/** Route weights: each 0..100; with more than one destination they must add up to 100. */
export function checkWeights(c: IssueCollector, path: string, routes: { weight?: number }[]): void {
  let total = 0;
  routes.forEach((r, i) => {
    const w = r.weight ?? 0;
    if (w < 0 || w > 100)
      c.invalid(joinPath(joinPath(path, i), 'weight'), w, 'weight must be in range 0..100');
    total += w;
  });
  if (routes.length > 1 && total === 0) c.invalid(path, routes.length, 'total destination weight = 0');
  else if (routes.length > 1 && total !== 100) {
    c.invalid(
      path,
      routes.map((r) => r.weight ?? 0),
      `total destination weight ${total} != 100`,
    );
  }
}

export function checkRetries(c: IssueCollector, path: string, r: HTTPRetry | undefined): void {
  if (!r) return;
  const attempts = r.attempts ?? 0;
  if (attempts < 0) c.invalid(joinPath(path, 'attempts'), attempts, 'attempts cannot be negative');
  if (
    attempts === 0 &&
    (r.perTryTimeout !== undefined || r.retryOn !== undefined || r.retryRemoteLocalities !== undefined)
  ) {
    c.error(path, 'http retry policy configured when attempts are set to 0 (disabled)');
  }
  checkDurationField(c, joinPath(path, 'perTryTimeout'), r.perTryTimeout);
  if (r.retryOn !== undefined) {
    for (const policy of r.retryOn.split(',')) {
      const p = policy.trim();
      const status = /^\d{3}$/.test(p) && Number(p) >= 100 && Number(p) <= 599;
      if (!status && !RETRY_ON.has(p))
        c.invalid(joinPath(path, 'retryOn'), p, `${JSON.stringify(p)} is not a valid retryOn policy`);
    }
  }
}

export function checkFault(c: IssueCollector, path: string, f: HTTPFaultInjection | undefined): void {
  if (!f) return;
  if (!f.abort && !f.delay) c.error(path, 'HTTP fault injection must have an abort and/or a delay');
  if (f.abort) {
    const p = joinPath(path, 'abort');
    checkPercent(c, joinPath(joinPath(p, 'percentage'), 'value'), f.abort.percentage?.value);
    const kinds = (['httpStatus', 'grpcStatus', 'http2Error'] as const).filter(
      (k) => f.abort?.[k] !== undefined,
    );
    if (kinds.length > 1)
      c.error(p, `only one of httpStatus, grpcStatus or http2Error can be set (found ${kinds.join(', ')})`);
    if (kinds.length === 0) c.warn(p, 'abort configured, but error type not set');
    if (f.abort.httpStatus !== undefined && (f.abort.httpStatus < 200 || f.abort.httpStatus > 599)) {
      c.invalid(
        joinPath(p, 'httpStatus'),
        f.abort.httpStatus,
        `HTTP status ${f.abort.httpStatus} is not in range 200-599`,
      );
    }
    const grpc = f.abort.grpcStatus;
    if (grpc !== undefined && (grpc !== grpc.toUpperCase() || codeFromName(grpc) === undefined)) {
      c.invalid(
        joinPath(p, 'grpcStatus'),
        grpc,
        `gRPC status ${JSON.stringify(grpc)} is not supported; use a code name such as 'NOT_FOUND'`,
      );
    }
    if (f.abort.http2Error !== undefined)
      c.invalid(
        joinPath(p, 'http2Error'),
        f.abort.http2Error,
        'HTTP/2 abort fault injection not supported yet',
      );
  }
  if (f.delay) {
    const p = joinPath(path, 'delay');
    checkPercent(c, joinPath(joinPath(p, 'percentage'), 'value'), f.delay.percentage?.value);
    if (f.delay.percent !== undefined && (f.delay.percent < 0 || f.delay.percent > 100)) {
      c.invalid(
        joinPath(p, 'percent'),
        f.delay.percent,
        `percentage ${f.delay.percent} is not in range 0..100`,
      );
    }
    if (f.delay.fixedDelay === undefined && f.delay.exponentialDelay === undefined)
      c.required(joinPath(p, 'fixedDelay'));
    checkDurationField(c, joinPath(p, 'fixedDelay'), f.delay.fixedDelay);
    if (f.delay.exponentialDelay !== undefined)
      c.invalid(
        joinPath(p, 'exponentialDelay'),
        f.delay.exponentialDelay,
        'exponentialDelay not supported yet',
      );
  }
}

/** Header names in set/add/remove: not pseudo-headers, not Host (Istio: ValidateHTTPHeaderOperationName). */
/** Headers a gRPC client's transport writes itself (content-type, te, user-agent, grpc-*). */
function isGrpcTransportHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return ['content-type', 'te', 'user-agent', 'content-length'].includes(lower) || lower.startsWith('grpc-');
}

export function checkHeaderOps(
  c: IssueCollector,
  path: string,
  ops: HeaderOperations | undefined,
  request: boolean,
): void {
  if (!ops) return;
  const check = (p: string, name: string, mayBeAuthority: boolean) => {
    const lower = name.toLowerCase();
    const authority = lower === ':authority' || lower === 'host';
    if (name === '') c.invalid(p, name, 'header name cannot be empty');
    else if (authority && !mayBeAuthority)
      c.invalid(p, name, `invalid header ${JSON.stringify(name)}: cannot set Host header`);
    else if (name.startsWith(':') && !authority)
      c.invalid(p, name, `invalid header ${JSON.stringify(name)}: header cannot have ":" prefix`);
  };
  for (const field of ['set', 'add'] as const) {
    for (const [name, value] of Object.entries(ops[field] ?? {})) {
      const p = joinPath(joinPath(path, field), name);
      check(p, name, request);
      if (isGrpcTransportHeader(name))
        c.warn(
          p,
          `${JSON.stringify(name)} belongs to the gRPC transport: proxyless clients do not change it`,
        );
      // biome-ignore lint/suspicious/noControlCharactersInRegex: header values may not carry control characters
      if (/[\u0000-\u0008\u000A-\u001F\u007F]/.test(value))
        c.invalid(p, value, 'header value contains control characters');
    }
  }
  (ops.remove ?? []).forEach((name, i) => {
    check(joinPath(joinPath(path, 'remove'), i), name, false);
  });
}
