// gRFC A50 outlier detection: Envoy's cluster.v3.OutlierDetection as a plain model with gRPC's
// defaults filled in. Consecutive-error ejection (Envoy's) is modelled too, since Shoal's mesh
// implements it.
import type { OutlierDetection } from '../gen/envoy/config/cluster/v3/outlier_detection_pb.js';
import { at, type Problems } from './decode-result.js';
import { durationToMs } from './values.js';

/** Outlier detection for one cluster; an ejection kind is absent when it is disabled. */
export interface XdsOutlierDetection {
  readonly intervalMs: number;
  readonly baseEjectionTimeMs: number;
  readonly maxEjectionTimeMs: number;
  /** At most this percentage of endpoints is ejected at once. */
  readonly maxEjectionPercent: number;
  readonly successRate?: {
    /** Eject below mean − stdevFactor/1000 × stdev. */
    readonly stdevFactor: number;
    readonly enforcementPercentage: number;
    readonly minimumHosts: number;
    readonly requestVolume: number;
  };
  readonly failurePercentage?: {
    readonly threshold: number;
    readonly enforcementPercentage: number;
    readonly minimumHosts: number;
    readonly requestVolume: number;
  };
  /** Eject after this many consecutive 5xx-class failures (gRPC: UNAVAILABLE, INTERNAL, …). */
  readonly consecutive5xx?: { readonly threshold: number; readonly enforcementPercentage: number };
  readonly consecutiveGatewayFailure?: { readonly threshold: number; readonly enforcementPercentage: number };
}

export function decodeOutlierDetection(
  o: OutlierDetection,
  path: string,
  problems: Problems,
): XdsOutlierDetection | undefined {
  const before = problems.errors.length;
  const percent = (value: number | undefined, fallback: number, field: string): number => {
    const v = value ?? fallback;
    if (v > 100) problems.add(at(path, field), `${v} is above 100`);
    return v;
  };
  const intervalMs = durationToMs(o.interval, at(path, 'interval'), problems) ?? 10_000;
  const baseEjectionTimeMs =
    durationToMs(o.baseEjectionTime, at(path, 'base_ejection_time'), problems) ?? 30_000;
  const maxEjectionTimeMs =
    durationToMs(o.maxEjectionTime, at(path, 'max_ejection_time'), problems) ??
    Math.max(300_000, baseEjectionTimeMs);
  const maxEjectionPercent = percent(o.maxEjectionPercent, 10, 'max_ejection_percent');
  const enforcingSuccessRate = percent(o.enforcingSuccessRate, 100, 'enforcing_success_rate');
  const enforcingFailurePercentage = percent(o.enforcingFailurePercentage, 0, 'enforcing_failure_percentage');
  const failureThreshold = percent(o.failurePercentageThreshold, 85, 'failure_percentage_threshold');
  const enforcing5xx = percent(o.enforcingConsecutive5xx, 100, 'enforcing_consecutive_5xx');
  const enforcingGateway = percent(
    o.enforcingConsecutiveGatewayFailure,
    0,
    'enforcing_consecutive_gateway_failure',
  );
  if (problems.errors.length > before) return undefined;
  return {
    intervalMs,
    baseEjectionTimeMs,
    maxEjectionTimeMs,
    maxEjectionPercent,
    ...(enforcingSuccessRate > 0 && {
      successRate: {
        stdevFactor: o.successRateStdevFactor ?? 1900,
        enforcementPercentage: enforcingSuccessRate,
        minimumHosts: o.successRateMinimumHosts ?? 5,
        requestVolume: o.successRateRequestVolume ?? 100,
      },
    }),
    ...(enforcingFailurePercentage > 0 && {
      failurePercentage: {
        threshold: failureThreshold,
        enforcementPercentage: enforcingFailurePercentage,
        minimumHosts: o.failurePercentageMinimumHosts ?? 5,
        requestVolume: o.failurePercentageRequestVolume ?? 50,
      },
    }),
    ...(enforcing5xx > 0 && {
      consecutive5xx: { threshold: o.consecutive5xx ?? 5, enforcementPercentage: enforcing5xx },
    }),
    ...(enforcingGateway > 0 && {
      consecutiveGatewayFailure: {
        threshold: o.consecutiveGatewayFailure ?? 5,
        enforcementPercentage: enforcingGateway,
      },
    }),
  };
}
