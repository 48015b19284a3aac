// Make-before-break for clusters: a client keeps every cluster that the routes it may still hold
// point at, until it has routes that no longer use them.
// Envoy: xDS protocol ("Eventual consistency considerations").

import type { envoy } from '@shoal/xds';
import type { BuiltResource } from '../translate/built-resource.js';
import { referencedClusters } from '../translate/resource-references.js';

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
