// The clusters a RouteConfiguration points at (single and weighted), for make-before-break.
// Envoy: route.v3.RouteAction cluster_specifier.

import type { envoy } from '@shoal/xds';

export function referencedClusters(rc: envoy.RouteConfiguration): string[] {
  const out: string[] = [];
  for (const vh of rc.virtualHosts) {
    for (const route of vh.routes) {
      if (route.action.case !== 'route') continue;
      const spec = route.action.value.clusterSpecifier;
      if (spec.case === 'cluster') out.push(spec.value);
      else if (spec.case === 'weightedClusters') out.push(...spec.value.clusters.map((c) => c.name));
    }
  }
  return out;
}
