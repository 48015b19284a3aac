// Aggregate clusters (gRFC A37; Envoy: extensions.clusters.aggregate.v3.ClusterConfig): a cluster
// that is an ordered list of other clusters. Its endpoints are its leaf clusters' endpoints, the
// first leaf's priorities first, the next leaf's after them, and so on, so the priority picker
// fails over from one leaf to the next. Leaves are found depth first, each kept at its first
// occurrence; the tree may be at most 16 levels deep and must not loop. A leaf that does not exist
// is skipped. The aggregate cluster's own LB policy, circuit breaker and outlier detection apply.

import type { XdsCluster } from '@shoal/xds/client';
import { createEndpoint, type MeshEndpoint } from '../lb/endpoint.js';

export const MAX_AGGREGATE_DEPTH = 16;

type Lookup = (name: string) => XdsCluster | undefined;

/** Every cluster name reachable from `roots` through aggregate clusters known so far. */
export function clusterClosure(roots: Iterable<string>, lookup: Lookup): Set<string> {
  const out = new Set<string>();
  let level = [...roots];
  for (let depth = 0; level.length > 0 && depth <= MAX_AGGREGATE_DEPTH; depth++) {
    const next: string[] = [];
    for (const name of level) {
      if (out.has(name)) continue;
      out.add(name);
      const d = lookup(name)?.discovery;
      if (d?.type === 'aggregate') next.push(...d.clusters);
    }
    level = next;
  }
  return out;
}

/** The leaf clusters of an aggregate cluster in priority order, or why there are none. */
export function aggregateLeaves(root: string, lookup: Lookup): { leaves: string[] } | { error: string } {
  const leaves: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string, depth: number, path: readonly string[]): string | undefined => {
    if (path.includes(name)) return `aggregate cluster loop: ${[...path, name].join(' → ')}`;
    if (depth > MAX_AGGREGATE_DEPTH)
      return `aggregate cluster ${JSON.stringify(root)} is nested deeper than ${MAX_AGGREGATE_DEPTH}`;
    const c = lookup(name);
    if (c?.discovery.type === 'aggregate') {
      for (const child of c.discovery.clusters) {
        const error = visit(child, depth + 1, [...path, name]);
        if (error !== undefined) return error;
      }
      return undefined;
    }
    if (c !== undefined && !seen.has(name)) {
      seen.add(name);
      leaves.push(name);
    }
    return undefined;
  };
  const error = visit(root, 0, []);
  if (error !== undefined) return { error };
  if (leaves.length === 0)
    return { error: `aggregate cluster ${JSON.stringify(root)} has no existing leaf cluster` };
  return { leaves };
}

/** Concatenates leaf endpoint lists, shifting each leaf's priorities past the previous leaf's. */
export function stackPriorities(perLeaf: readonly (readonly MeshEndpoint[])[]): MeshEndpoint[] {
  const out: MeshEndpoint[] = [];
  let base = 0;
  for (const endpoints of perLeaf) {
    if (endpoints.length === 0) continue;
    let top = 0;
    for (const e of endpoints) {
      top = Math.max(top, e.priority);
      out.push(
        base === 0
          ? e
          : createEndpoint({
              address: e.address,
              port: e.port,
              weight: e.weight,
              health: e.health,
              locality: e.locality,
              localityWeight: e.localityWeight,
              priority: e.priority + base,
              labels: { ...e.labels },
              hashKey: e.hashKey,
            }),
      );
    }
    base += top + 1;
  }
  return out;
}
