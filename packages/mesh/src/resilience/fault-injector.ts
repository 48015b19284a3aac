// Client-side fault injection (gRFC A33; Envoy: extensions.filters.http.fault.v3.HTTPFault).
// Before a call sends anything it may be delayed (fixed or header-given delay, with a fractional
// percentage) and then aborted (gRPC status, or HTTP status mapped by gRPC's HTTP→code table:
// 200 → UNKNOWN, 503 → UNAVAILABLE, …). Delay and abort draw separate random numbers, as Envoy
// does. With header_delay / header_abort the caller's metadata chooses the fault:
// x-envoy-fault-delay-request (ms), x-envoy-fault-abort-request (HTTP status),
// x-envoy-fault-abort-grpc-request (gRPC code; the HTTP header wins when both are sent), and the
// -percentage headers, which set the numerator over the config's denominator, capped at the
// config's numerator. Invalid headers are ignored. An unset percentage is 0%, as in Envoy's proto
// and gRPC: Istio's control plane always sends one. max_active_faults bounds how many calls are
// being faulted at once; the gauge is shared by everything given the same FaultGauge.

import { Code, codeFromHttpStatus, RpcError } from '@shoal/rpc/client';
import { ConfigErrors } from '../lb/config-error.js';
import type { Clock } from '../support/clock.js';
import { sleep, systemClock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';

/** Envoy: type.v3.FractionalPercent. */
export interface FractionalPercent {
  numerator: number;
  denominator?: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION';
}

export interface FaultSettings {
  delay?: { fixedDelayMs?: number; headerDelay?: boolean; percentage?: FractionalPercent };
  abort?: { httpStatus?: number; grpcStatus?: number; headerAbort?: boolean; percentage?: FractionalPercent };
  maxActiveFaults?: number;
}

/** Reads a request header (e.g. @shoal/rpc Metadata). */
export interface HeaderSource {
  getString(key: string): string | undefined;
}

/** The faulted-calls gauge; one per process or per mesh client. */
export class FaultGauge {
  active = 0;
}

interface Fraction {
  readonly numerator: number;
  readonly denominator: number;
}

export interface FaultDecision {
  readonly delayMs: number;
  /** The status to end the call with; OK means "end at once with OK and no messages". */
  readonly abort: Code | undefined;
}

const denominators = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const;

function fraction(errors: ConfigErrors, p: FractionalPercent | undefined, path: string): Fraction {
  if (p === undefined) return { numerator: 0, denominator: 100 };
  const denominator = denominators[p.denominator ?? 'HUNDRED'];
  if (denominator === undefined)
    errors.add(`${path}.denominator`, `unknown denominator ${String(p.denominator)}`);
  if (!Number.isInteger(p.numerator) || p.numerator < 0)
    errors.add(`${path}.numerator`, `must be a non-negative integer, got ${p.numerator}`);
  // Envoy clamps a numerator above the denominator to 100%.
  return { numerator: Math.min(p.numerator, denominator ?? 100), denominator: denominator ?? 100 };
}

export class FaultInjector {
  private readonly delay: { fixedMs: number | undefined; percent: Fraction } | undefined;
  private readonly abort: { code: Code | undefined; percent: Fraction } | undefined;
  private readonly maxActiveFaults: number;

  constructor(
    settings: FaultSettings,
    path = 'fault',
    private readonly gauge = new FaultGauge(),
    private readonly random: Random = Math.random,
  ) {
    const errors = new ConfigErrors('fault injection config');
    const d = settings.delay;
    if (d !== undefined) {
      const fixed = d.fixedDelayMs;
      if ((fixed === undefined) === (d.headerDelay !== true))
        errors.add(`${path}.delay`, 'set exactly one of fixedDelayMs and headerDelay');
      if (fixed !== undefined && (!Number.isFinite(fixed) || fixed < 0))
        errors.add(`${path}.delay.fixedDelayMs`, `must be a non-negative number, got ${fixed}`);
      this.delay = { fixedMs: fixed, percent: fraction(errors, d.percentage, `${path}.delay.percentage`) };
    }
    const a = settings.abort;
    if (a !== undefined) {
      const kinds = [a.httpStatus !== undefined, a.grpcStatus !== undefined, a.headerAbort === true];
      if (kinds.filter(Boolean).length !== 1)
        errors.add(`${path}.abort`, 'set exactly one of httpStatus, grpcStatus and headerAbort');
      let code: Code | undefined;
      if (a.httpStatus !== undefined) {
        if (!Number.isInteger(a.httpStatus) || a.httpStatus < 200 || a.httpStatus >= 600)
          errors.add(`${path}.abort.httpStatus`, `must be an HTTP status in [200, 600), got ${a.httpStatus}`);
        code = codeFromHttpStatus(a.httpStatus);
      } else if (a.grpcStatus !== undefined) {
        if (!Number.isInteger(a.grpcStatus) || a.grpcStatus < 0)
          errors.add(`${path}.abort.grpcStatus`, `must be a non-negative integer, got ${a.grpcStatus}`);
        code = sanitizeCode(a.grpcStatus);
      }
      this.abort = { code, percent: fraction(errors, a.percentage, `${path}.abort.percentage`) };
    }
    const max = settings.maxActiveFaults;
    if (max !== undefined && (!Number.isInteger(max) || max < 0))
      errors.add(`${path}.maxActiveFaults`, `must be a non-negative integer, got ${max}`);
    this.maxActiveFaults = max ?? Number.POSITIVE_INFINITY;
    errors.throwIfAny();
  }

  /** False for a filter configured with neither delay nor abort (Istio's listeners carry one): it never faults a call. */
  get injects(): boolean {
    return this.delay !== undefined || this.abort !== undefined;
  }

  /** Active faulted calls on this injector's gauge. */
  get activeFaults(): number {
    return this.gauge.active;
  }

  /** Whether this call gets a fault, and which; undefined (no allocation) when it gets none. */
  decide(headers?: HeaderSource): FaultDecision | undefined {
    if (this.gauge.active >= this.maxActiveFaults) return undefined;
    let delayMs = 0;
    const d = this.delay;
    if (d !== undefined) {
      const fromHeaders = d.fixedMs === undefined;
      const ms = fromHeaders ? headerInt(headers, 'x-envoy-fault-delay-request') : d.fixedMs;
      const pctHeader = fromHeaders ? 'x-envoy-fault-delay-request-percentage' : undefined;
      if (ms !== undefined && ms > 0 && this.roll(d.percent, headers, pctHeader)) delayMs = ms;
    }
    let abort: Code | undefined;
    const a = this.abort;
    if (a !== undefined) {
      const fromHeaders = a.code === undefined;
      const code = fromHeaders ? headerAbortCode(headers) : a.code;
      const pctHeader = fromHeaders ? 'x-envoy-fault-abort-request-percentage' : undefined;
      if (code !== undefined && this.roll(a.percent, headers, pctHeader)) abort = code;
    }
    if (delayMs === 0 && abort === undefined) return undefined;
    return { delayMs, abort };
  }

  /**
   * Applies a decision: counts it as active, waits out the delay, then ends the call if aborting.
   * Resolves 'proceed' to go on with the call, or 'abort-ok' to end it at once with status OK.
   */
  async apply(
    decision: FaultDecision,
    options: { clock?: Clock; signal?: AbortSignal } = {},
  ): Promise<'proceed' | 'abort-ok'> {
    this.gauge.active++;
    try {
      if (decision.delayMs > 0) {
        try {
          await sleep(options.clock ?? systemClock, decision.delayMs, options.signal);
        } catch (reason) {
          if (reason instanceof RpcError) throw reason;
          throw new RpcError(Code.CANCELLED, 'call cancelled during an injected delay', { cause: reason });
        }
      }
      if (decision.abort === undefined) return 'proceed';
      if (decision.abort === Code.OK) return 'abort-ok';
      throw new RpcError(decision.abort, 'RPC terminated by fault injection');
    } finally {
      this.gauge.active--;
    }
  }

  /** A fresh random draw against the fraction; a percentage header may only lower the numerator. */
  private roll(percent: Fraction, headers: HeaderSource | undefined, header: string | undefined): boolean {
    let numerator = percent.numerator;
    const fromHeader = header === undefined ? undefined : headerInt(headers, header);
    if (fromHeader !== undefined) numerator = Math.min(numerator, fromHeader);
    if (numerator <= 0) return false;
    return Math.floor(this.random() * percent.denominator) < numerator;
  }
}

/** A non-negative integer header; anything else reads as absent (A33: invalid headers are ignored). */
function headerInt(headers: HeaderSource | undefined, key: string): number | undefined {
  const raw = headers?.getString(key);
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The HTTP status header wins when present, even if invalid (then there is no abort), as in gRPC. */
function headerAbortCode(headers: HeaderSource | undefined): Code | undefined {
  if (headers?.getString('x-envoy-fault-abort-request') !== undefined) {
    const http = headerInt(headers, 'x-envoy-fault-abort-request');
    return http !== undefined && http >= 200 && http < 600 ? codeFromHttpStatus(http) : undefined;
  }
  const grpc = headerInt(headers, 'x-envoy-fault-abort-grpc-request');
  return grpc === undefined ? undefined : sanitizeCode(grpc);
}

/** Codes past 16 read as UNKNOWN. */
function sanitizeCode(n: number): Code {
  return n > 16 ? Code.UNKNOWN : (n as Code);
}
