// Outlier detection settings (Envoy: config.cluster.v3.OutlierDetection, gRFC A50), with Envoy's
// field names in camelCase and durations in milliseconds, resolved to a config with defaults.
// Defaults follow Envoy, since Istio's DestinationRule targets Envoy: consecutive 5xx is on
// (5, enforced 100%), consecutive gateway failure is counted but not enforced (0%), success rate
// is enforced (100%) and failure percentage is not (0%). A detection kind whose enforcement is 0
// is off. (gRPC A50 never does consecutive ejection; set enforcingConsecutive5xx: 0 to match it.)

import { asObject, ConfigErrors, readInt, readMs } from './config-error.js';

export interface OutlierDetectionSettings {
  intervalMs?: number;
  baseEjectionTimeMs?: number;
  maxEjectionTimeMs?: number;
  maxEjectionPercent?: number;
  consecutive5xx?: number;
  enforcingConsecutive5xx?: number;
  consecutiveGatewayFailure?: number;
  enforcingConsecutiveGatewayFailure?: number;
  successRateMinimumHosts?: number;
  successRateRequestVolume?: number;
  successRateStdevFactor?: number;
  enforcingSuccessRate?: number;
  failurePercentageThreshold?: number;
  enforcingFailurePercentage?: number;
  failurePercentageMinimumHosts?: number;
  failurePercentageRequestVolume?: number;
}

export interface ConsecutiveEjection {
  readonly threshold: number;
  readonly enforcementPercentage: number;
}

export interface SuccessRateEjection {
  /** Ejected below mean − stdev × stdevFactor / 1000. */
  readonly stdevFactor: number;
  readonly enforcementPercentage: number;
  readonly minimumHosts: number;
  readonly requestVolume: number;
}

export interface FailurePercentageEjection {
  readonly threshold: number;
  readonly enforcementPercentage: number;
  readonly minimumHosts: number;
  readonly requestVolume: number;
}

export interface OutlierDetectionConfig {
  readonly intervalMs: number;
  readonly baseEjectionTimeMs: number;
  readonly maxEjectionTimeMs: number;
  readonly maxEjectionPercent: number;
  readonly consecutive5xx: ConsecutiveEjection | undefined;
  readonly consecutiveGatewayFailure: ConsecutiveEjection | undefined;
  readonly successRate: SuccessRateEjection | undefined;
  readonly failurePercentage: FailurePercentageEjection | undefined;
}

const U32 = 0xffffffff;

/** Validates settings, naming bad fields under `path`, and fills Envoy's defaults. */
export function parseOutlierDetection(settings: unknown, path = 'outlierDetection'): OutlierDetectionConfig {
  const errors = new ConfigErrors('outlier detection config');
  const o = asObject(errors, settings, path);
  const pct = (key: string, fallback: number) => readInt(errors, o, key, path, fallback, 0, 100);
  const count = (key: string, fallback: number) => readInt(errors, o, key, path, fallback, 0, U32);
  const intervalMs = readMs(errors, o, 'intervalMs', path, 10_000);
  if (o.intervalMs === 0) errors.add(`${path}.intervalMs`, 'must be greater than 0');
  const baseEjectionTimeMs = readMs(errors, o, 'baseEjectionTimeMs', path, 30_000);
  // gRFC A50: the cap is max(base, max_ejection_time), default 300 s.
  const maxEjectionTimeMs = Math.max(
    baseEjectionTimeMs,
    readMs(errors, o, 'maxEjectionTimeMs', path, 300_000),
  );
  const maxEjectionPercent = pct('maxEjectionPercent', 10);
  const c5xx = count('consecutive5xx', 5);
  const c5xxEnforce = pct('enforcingConsecutive5xx', 100);
  const cgw = count('consecutiveGatewayFailure', 5);
  const cgwEnforce = pct('enforcingConsecutiveGatewayFailure', 0);
  const sr: SuccessRateEjection = {
    stdevFactor: count('successRateStdevFactor', 1900),
    enforcementPercentage: pct('enforcingSuccessRate', 100),
    minimumHosts: count('successRateMinimumHosts', 5),
    requestVolume: count('successRateRequestVolume', 100),
  };
  const fp: FailurePercentageEjection = {
    threshold: pct('failurePercentageThreshold', 85),
    enforcementPercentage: pct('enforcingFailurePercentage', 0),
    minimumHosts: count('failurePercentageMinimumHosts', 5),
    requestVolume: count('failurePercentageRequestVolume', 50),
  };
  if (c5xx === 0 && o.consecutive5xx !== undefined)
    errors.add(`${path}.consecutive5xx`, 'must be at least 1');
  if (cgw === 0 && o.consecutiveGatewayFailure !== undefined)
    errors.add(`${path}.consecutiveGatewayFailure`, 'must be at least 1');
  errors.throwIfAny();
  return {
    intervalMs,
    baseEjectionTimeMs,
    maxEjectionTimeMs,
    maxEjectionPercent,
    consecutive5xx: c5xxEnforce > 0 ? { threshold: c5xx, enforcementPercentage: c5xxEnforce } : undefined,
    consecutiveGatewayFailure:
      cgwEnforce > 0 ? { threshold: cgw, enforcementPercentage: cgwEnforce } : undefined,
    successRate: sr.enforcementPercentage > 0 ? sr : undefined,
    failurePercentage: fp.enforcementPercentage > 0 ? fp : undefined,
  };
}
