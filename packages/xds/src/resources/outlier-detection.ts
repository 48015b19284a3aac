// gRFC A50 outlier detection: Envoy's cluster.v3.OutlierDetection as a plain model, with its
// defaults set here (Envoy's, which A50 shares): interval 10 s, base ejection time 30 s, max
// ejection time 300 s (an ejection lasts min(base × times ejected, max(base, max_ejection_time)),
// so the model's maxEjectionTimeMs is that max), 10 % at most ejected, success rate enforced
// (100 %, stdev factor 1900, 5 hosts, 100 calls), failure percentage not (0 %, above 85 %, 5 hosts,
// 50 calls). Consecutive-error ejection is Envoy's (A50 never does it) and modelled too, since
// Shoal's mesh implements it: consecutive 5xx on (5, enforced 100 %), consecutive gateway failure
// counted but not enforced (0 %); Istio's `consecutive5xxErrors: 0` sends 0 with 0 % (off). A kind
// whose enforcement is 0 is off and absent from the model. The interval must be positive (Envoy's
// proto rule `gt: {}`), and a consecutive threshold that is enforced must be at least 1.
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
  if (intervalMs <= 0) problems.add(at(path, 'interval'), 'must be greater than 0');
  const baseEjectionTimeMs =
    durationToMs(o.baseEjectionTime, at(path, 'base_ejection_time'), problems) ?? 30_000;
  const maxEjectionTimeMs = Math.max(
    baseEjectionTimeMs,
    durationToMs(o.maxEjectionTime, at(path, 'max_ejection_time'), problems) ?? 300_000,
  );
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
  const consecutive5xx = o.consecutive5xx ?? 5;
  if (enforcing5xx > 0 && consecutive5xx < 1)
    problems.add(at(path, 'consecutive_5xx'), 'must be at least 1 while enforced');
  const consecutiveGateway = o.consecutiveGatewayFailure ?? 5;
  if (enforcingGateway > 0 && consecutiveGateway < 1)
    problems.add(at(path, 'consecutive_gateway_failure'), 'must be at least 1 while enforced');
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
      consecutive5xx: { threshold: consecutive5xx, enforcementPercentage: enforcing5xx },
    }),
    ...(enforcingGateway > 0 && {
      consecutiveGatewayFailure: {
        threshold: consecutiveGateway,
        enforcementPercentage: enforcingGateway,
      },
    }),
  };
}
