// The effective traffic policy of one cluster: the DestinationRule's top-level policy, overridden
// field by field by its port-level settings, then by the subset's policy (and its port level).
// Istio: networking.v1.DestinationRule, MergeTrafficPolicy.

import type { ConfigObject } from '../config/config-object.js';
import type {
  ClientTLSSettings,
  ConnectionPoolSettings,
  LoadBalancerSettings,
  OutlierDetection,
  TrafficPolicy,
} from '../config/networking-types.js';

export interface EffectivePolicy {
  loadBalancer?: LoadBalancerSettings;
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
  tls?: ClientTLSSettings;
}

export function effectivePolicy(
  dr: ConfigObject<'DestinationRule'> | undefined,
  port: number,
  subset: string,
): EffectivePolicy {
  if (!dr) return {};
  let out = overlay({}, dr.spec.trafficPolicy, port);
  if (subset) {
    const sub = dr.spec.subsets?.find((s) => s.name === subset);
    out = overlay(out, sub?.trafficPolicy, port);
  }
  return out;
}

function overlay(base: EffectivePolicy, policy: TrafficPolicy | undefined, port: number): EffectivePolicy {
  if (!policy) return base;
  const out: EffectivePolicy = { ...base };
  assign(out, policy);
  const portLevel = policy.portLevelSettings?.find((p) => p.port?.number === port);
  if (portLevel) assign(out, portLevel);
  return out;
}

function assign(out: EffectivePolicy, from: EffectivePolicy): void {
  if (from.loadBalancer) out.loadBalancer = from.loadBalancer;
  if (from.connectionPool) out.connectionPool = from.connectionPool;
  if (from.outlierDetection) out.outlierDetection = from.outlierDetection;
  if (from.tls) out.tls = from.tls;
}
