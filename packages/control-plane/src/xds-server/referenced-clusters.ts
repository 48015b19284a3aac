// The clusters a RouteConfiguration points at (single and weighted), for make-before-break.
// Envoy: route.v3.RouteAction cluster_specifier.

import type { envoy } from '@shoal/xds';
import type { BuiltResource } from '../translate/built-resource.js';

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

/**
 * `computed` plus every cluster the client was given before (`previous`) that one of `routes`
 * still points at: a client must not lose a cluster before it has routes that no longer use it.
 */
export function withReferencedClusters(
  computed: ReadonlyMap<string, BuiltResource>,
  routes: Iterable<BuiltResource>,
  previous: ReadonlyMap<string, BuiltResource>,
): Map<string, BuiltResource> {
  const kept = new Map(computed);
  for (const route of routes) {
    for (const name of referencedClusters(route.message as envoy.RouteConfiguration)) {
      const cluster = previous.get(name);
      if (!kept.has(name) && cluster) kept.set(name, cluster);
    }
  }
  return kept;
}
