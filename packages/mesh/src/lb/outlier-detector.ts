// Outlier detection (gRFC A50 and Envoy's outlier detection), on the config as @shoal/xds decodes
// it (defaults set there). It sits with load balancing, as in gRPC, where A50 is an LB policy
// wrapping the endpoint-picking one. The caller records each call's
// outcome per endpoint; consecutive failures eject at once, and every interval the success-rate
// and failure-percentage checks run over the calls of the interval just ended. An ejected endpoint
// returns after base_ejection_time × times ejected (capped by max_ejection_time); each interval
// it spends un-ejected takes one off that multiplier. No ejection pushes the ejected share past
// max_ejection_percent, except that one endpoint may always go (0% < any positive max).
//
// Ejections reach the pickers through onChange: the owner rebuilds its locality picker with the
// ejected set excluded, so picking never consults the detector (ejections are rare, picks are not).
//
// What counts as a failure is the caller's call, via outcomeFromCode: Envoy's gRPC→HTTP table
// (@shoal/rpc httpStatusFromCode) decides, so 5xx = UNKNOWN, INTERNAL, DATA_LOSS, UNIMPLEMENTED
// (500/501) and the gateway failures 502/503/504 = UNAVAILABLE, DEADLINE_EXCEEDED. Everything
// else, client errors included (INVALID_ARGUMENT, NOT_FOUND, CANCELLED, …), is a success for
// the endpoint. Connection failures reach us as UNAVAILABLE, so they are gateway failures.

import { Code } from '@shoal/rpc/client';
import { httpStatusFromCode } from '@shoal/rpc/plugins';
import type { XdsOutlierDetection } from '@shoal/xds/plugins';
import type { Clock, TimerHandle } from '../support/clock.js';
import { systemClock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';

/** A call's result as outlier detection sees it. */
export type OutlierOutcome = 'success' | 'error' | 'gateway-error';

export function outcomeFromCode(code: Code): OutlierOutcome {
  if (code === Code.OK) return 'success';
  const status = httpStatusFromCode(code);
  if (status === 502 || status === 503 || status === 504) return 'gateway-error';
  return status >= 500 ? 'error' : 'success';
}

export type EjectionReason =
  | 'consecutive_5xx'
  | 'consecutive_gateway_failure'
  | 'success_rate'
  | 'failure_percentage';

export interface EjectionEvent {
  readonly key: string;
  readonly ejected: boolean;
  /** Why it was ejected; undefined for an un-ejection. */
  readonly reason: EjectionReason | undefined;
}

export interface OutlierDetectorOptions {
  readonly clock?: Clock;
  readonly random?: Random;
  /** Called after ejections change, with the keys now ejected and what changed. */
  readonly onChange?: (ejected: ReadonlySet<string>, events: readonly EjectionEvent[]) => void;
}

class EndpointStats {
  activeSuccess = 0;
  activeFailure = 0;
  success = 0;
  failure = 0;
  consecutive5xx = 0;
  consecutiveGateway = 0;
  ejectedAt: number | undefined = undefined;
  multiplier = 0;
}

export class OutlierDetector {
  private config: XdsOutlierDetection;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly onChange: OutlierDetectorOptions['onChange'];
  private readonly stats = new Map<string, EndpointStats>();
  private readonly ejected = new Set<string>();
  private timer: TimerHandle | undefined;
  private pending: EjectionEvent[] = [];

  constructor(config: XdsOutlierDetection, options: OutlierDetectorOptions = {}) {
    this.config = config;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.onChange = options.onChange;
    this.timer = this.clock.setInterval(() => this.runInterval(), config.intervalMs);
  }

  /** Replaces the config; the interval restarts, counts and ejections are kept (gRFC A50). */
  setConfig(config: XdsOutlierDetection): void {
    this.config = config;
    if (this.timer !== undefined) {
      this.clock.clearInterval(this.timer);
      this.timer = this.clock.setInterval(() => this.runInterval(), config.intervalMs);
    }
  }

  /** The endpoints to track; state of endpoints no longer listed is dropped. */
  setEndpoints(keys: Iterable<string>): void {
    const keep = new Set(keys);
    for (const key of keep) if (!this.stats.has(key)) this.stats.set(key, new EndpointStats());
    for (const key of [...this.stats.keys()]) {
      if (keep.has(key)) continue;
      this.stats.delete(key);
      if (this.ejected.delete(key)) this.pending.push({ key, ejected: false, reason: undefined });
    }
    this.flush();
  }

  isEjected(key: string): boolean {
    return this.ejected.has(key);
  }

  get ejectedKeys(): ReadonlySet<string> {
    return this.ejected;
  }

  /** Records one call's outcome for the endpoint (unknown keys are ignored). */
  record(key: string, outcome: OutlierOutcome): void {
    const s = this.stats.get(key);
    if (s === undefined) return;
    if (outcome === 'success') {
      s.activeSuccess++;
      s.consecutive5xx = 0;
      s.consecutiveGateway = 0;
      return;
    }
    s.activeFailure++;
    s.consecutive5xx++;
    if (outcome === 'gateway-error') s.consecutiveGateway++;
    else s.consecutiveGateway = 0;
    if (s.ejectedAt !== undefined) return;
    const { consecutive5xx, consecutiveGatewayFailure } = this.config;
    if (consecutiveGatewayFailure && s.consecutiveGateway >= consecutiveGatewayFailure.threshold) {
      s.consecutiveGateway = 0;
      this.tryEject(key, s, consecutiveGatewayFailure.enforcementPercentage, 'consecutive_gateway_failure');
    }
    if (s.ejectedAt === undefined && consecutive5xx && s.consecutive5xx >= consecutive5xx.threshold) {
      s.consecutive5xx = 0;
      this.tryEject(key, s, consecutive5xx.enforcementPercentage, 'consecutive_5xx');
    }
    this.flush();
  }

  /** One detection interval (gRFC A50's timer callback); the timer calls this. */
  runInterval(): void {
    const now = this.clock.now();
    for (const s of this.stats.values()) {
      s.success = s.activeSuccess;
      s.failure = s.activeFailure;
      s.activeSuccess = 0;
      s.activeFailure = 0;
    }
    if (this.config.successRate) this.successRateEjection(this.config.successRate);
    if (this.config.failurePercentage) this.failurePercentageEjection(this.config.failurePercentage);
    const { baseEjectionTimeMs, maxEjectionTimeMs } = this.config;
    for (const [key, s] of this.stats) {
      if (s.ejectedAt === undefined) {
        if (s.multiplier > 0) s.multiplier--;
      } else if (now >= s.ejectedAt + Math.min(baseEjectionTimeMs * s.multiplier, maxEjectionTimeMs)) {
        s.ejectedAt = undefined;
        s.consecutive5xx = 0;
        s.consecutiveGateway = 0;
        this.ejected.delete(key);
        this.pending.push({ key, ejected: false, reason: undefined });
      }
    }
    this.flush();
  }

  /** Stops the interval timer. */
  close(): void {
    if (this.timer !== undefined) this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  private successRateEjection(c: NonNullable<XdsOutlierDetection['successRate']>): void {
    const candidates: [string, EndpointStats, number][] = [];
    for (const [key, s] of this.stats) {
      const volume = s.success + s.failure;
      if (volume >= c.requestVolume && volume > 0) candidates.push([key, s, s.success / volume]);
    }
    if (candidates.length < c.minimumHosts || candidates.length === 0) return;
    const mean = candidates.reduce((a, [, , r]) => a + r, 0) / candidates.length;
    const variance = candidates.reduce((a, [, , r]) => a + (r - mean) ** 2, 0) / candidates.length;
    const threshold = mean - Math.sqrt(variance) * (c.stdevFactor / 1000);
    for (const [key, s, rate] of candidates) {
      if (rate < threshold && s.ejectedAt === undefined)
        this.tryEject(key, s, c.enforcementPercentage, 'success_rate');
    }
  }

  private failurePercentageEjection(c: NonNullable<XdsOutlierDetection['failurePercentage']>): void {
    const candidates: [string, EndpointStats][] = [];
    for (const [key, s] of this.stats) {
      const volume = s.success + s.failure;
      if (volume >= c.requestVolume && volume > 0) candidates.push([key, s]);
    }
    if (candidates.length < c.minimumHosts || candidates.length === 0) return;
    for (const [key, s] of candidates) {
      const failurePct = (100 * s.failure) / (s.success + s.failure);
      if (failurePct > c.threshold && s.ejectedAt === undefined)
        this.tryEject(key, s, c.enforcementPercentage, 'failure_percentage');
    }
  }

  private tryEject(
    key: string,
    s: EndpointStats,
    enforcementPercentage: number,
    reason: EjectionReason,
  ): void {
    if (
      this.stats.size === 0 ||
      (100 * this.ejected.size) / this.stats.size >= this.config.maxEjectionPercent
    )
      return;
    if (this.random() * 100 >= enforcementPercentage) return;
    s.ejectedAt = this.clock.now();
    s.multiplier++;
    this.ejected.add(key);
    this.pending.push({ key, ejected: true, reason });
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.onChange?.(this.ejected, events);
  }
}
