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
// being faulted at once; the gauge is shared by everything given the same FaultGauge. The config
// is the filter's as @shoal/xds decodes it (statuses checked, HTTP ones mapped, fractions in parts
// per million).

import { Code, RpcError } from '@shoal/rpc/client';
import { codeFromHttpStatus } from '@shoal/rpc/plugins';
import type { FaultFilterConfig, XdsFraction } from '@shoal/xds/plugins';
import type { Clock } from '../support/clock.js';
import { sleep, systemClock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';

/** Reads a request header (e.g. @shoal/rpc Metadata). */
export interface HeaderSource {
  getString(key: string): string | undefined;
}

/** The faulted-calls gauge; one per process or per mesh client. */
export class FaultGauge {
  active = 0;
}

export interface FaultDecision {
  readonly delayMs: number;
  /** The status to end the call with; OK means "end at once with OK and no messages". */
  readonly abort: Code | undefined;
}

export class FaultInjector {
  private readonly delay: FaultFilterConfig['delay'];
  private readonly abort: FaultFilterConfig['abort'];
  private readonly maxActiveFaults: number;

  constructor(
    config: FaultFilterConfig,
    private readonly gauge = new FaultGauge(),
    private readonly random: Random = Math.random,
  ) {
    this.delay = config.delay;
    this.abort = config.abort;
    this.maxActiveFaults = config.maxActiveFaults ?? Number.POSITIVE_INFINITY;
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
      const ms = d.fromHeader ? headerInt(headers, 'x-envoy-fault-delay-request') : (d.fixedDelayMs ?? 0);
      const pctHeader = d.fromHeader ? 'x-envoy-fault-delay-request-percentage' : undefined;
      if (ms !== undefined && ms > 0 && this.roll(d.percentage, headers, pctHeader)) delayMs = ms;
    }
    let abort: Code | undefined;
    const a = this.abort;
    if (a !== undefined) {
      const code = a.fromHeader ? headerAbortCode(headers) : (a.grpcCode as Code | undefined);
      const pctHeader = a.fromHeader ? 'x-envoy-fault-abort-request-percentage' : undefined;
      if (code !== undefined && this.roll(a.percentage, headers, pctHeader)) abort = code;
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

  /**
   * A fresh random draw against the fraction, in parts per million; a percentage header (a
   * numerator over the config's denominator) may only lower it.
   */
  private roll(percent: XdsFraction, headers: HeaderSource | undefined, header: string | undefined): boolean {
    let perMillion = percent.perMillion;
    const fromHeader = header === undefined ? undefined : headerInt(headers, header);
    if (fromHeader !== undefined)
      perMillion = Math.min(perMillion, fromHeader * (1_000_000 / percent.denominator));
    if (perMillion <= 0) return false;
    return Math.floor(this.random() * 1_000_000) < perMillion;
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
