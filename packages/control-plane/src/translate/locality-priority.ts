// Locality priorities and weights as seen from one client, from the client's own locality and the
// DestinationRule's localityLbSetting.
// Istio: networking.v1.LocalityLoadBalancerSetting (failover, failoverPriority is not used,
// distribute); istiod's applyLocalityFailover / applyLocalityWeights.
//
// Failover (the default when the client's locality is known): same region/zone/subzone → 0,
// same region/zone → next, same region → next, the `failover.to` region for the client's region →
// next, everything else last. Levels are then compacted so priorities start at 0 and leave no gap.

import type { XdsLocality } from '@shoal/xds';
import type { LocalityLoadBalancerSetting } from '../config/networking-types.js';

/** Raw failover level of an endpoint locality for a client (lower is preferred). */
export function failoverLevel(
  client: XdsLocality,
  ep: XdsLocality,
  setting: LocalityLoadBalancerSetting | undefined,
): number {
  if (ep.region === client.region) {
    if (ep.zone === client.zone) return ep.subZone === client.subZone ? 0 : 1;
    return 2;
  }
  const to = setting?.failover?.find((f) => f.from === client.region)?.to;
  if (to !== undefined) return ep.region === to ? 3 : 4;
  return 4;
}

/** Maps raw levels to 0..n-1, keeping their order. */
export function compactLevels(levels: number[]): Map<number, number> {
  const sorted = [...new Set(levels)].sort((a, b) => a - b);
  return new Map(sorted.map((level, i) => [level, i]));
}

/**
 * Locality weights from `distribute` for a client, or undefined when no rule matches it. A
 * locality not named in the matching rule's `to` gets weight 0 (no traffic).
 */
export function distributeWeights(
  client: XdsLocality,
  setting: LocalityLoadBalancerSetting | undefined,
): ((ep: XdsLocality) => number) | undefined {
  const rule = setting?.distribute?.find((d) => localityGlobMatches(d.from ?? '', client));
  if (!rule?.to) return undefined;
  const entries = Object.entries(rule.to);
  return (ep) => {
    // The most specific pattern wins when several cover one locality.
    let best: { weight: number; specificity: number } | undefined;
    for (const [pattern, weight] of entries) {
      if (!localityGlobMatches(pattern, ep)) continue;
      const specificity = pattern.split('/').filter((p) => p !== '*').length;
      if (!best || specificity > best.specificity) best = { weight, specificity };
    }
    return best?.weight ?? 0;
  };
}

/** `region/zone/subzone` patterns where any part may be `*` and missing parts match anything. */
export function localityGlobMatches(pattern: string, l: XdsLocality): boolean {
  const [r = '*', z = '*', s = '*'] = pattern.split('/');
  const part = (p: string, v: string) => p === '*' || p === v;
  return part(r, l.region) && part(z, l.zone) && part(s, l.subZone);
}
