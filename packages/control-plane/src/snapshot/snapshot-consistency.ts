// A snapshot's consistency: every resource another one names is in the snapshot too, as
// go-control-plane's Snapshot.Consistent() checks it. A client listener's route config, an EDS
// cluster's endpoints and an assignment's cluster are the translator's own references (equal build
// conditions on both sides), so one breaks only when a resource failed to build. A route naming a
// missing cluster comes from config (a VirtualService to a subset or host nothing defines).
//
// A broken reference is reported, and nothing is left out for it. Leaving out the listener whose
// route config failed would delete it from clients that still hold a good route config for it
// (a state-of-the-world LDS answer without it means "deleted"; an RDS answer without the route
// config does not), and leaving out a route would send its calls elsewhere. Istio sends such a
// route as it is: the client fails the calls it sends to the missing cluster (UNAVAILABLE).
// go-control-plane: pkg/cache/v3 Snapshot.Consistent; Istio: IST0101 ReferencedResourceNotFound.

import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from '@shoal/xds';
import type { BuiltResource } from '../translate/built-resource.js';
import { type ResourceReference, resourceReferences } from '../translate/resource-references.js';

export interface SnapshotInconsistency {
  /** The resource that names a missing one. */
  typeUrl: string;
  name: string;
  missing: ResourceReference;
  message: string;
}

const WHAT: Record<string, string> = {
  [LISTENER_TYPE_URL]: 'listener',
  [ROUTE_CONFIGURATION_TYPE_URL]: 'route config',
  [CLUSTER_TYPE_URL]: 'cluster',
  [CLUSTER_LOAD_ASSIGNMENT_TYPE_URL]: 'endpoints',
};

/** The references of `resource` that `lookup` (the snapshot, for the same client) cannot resolve. */
export function checkReferences(
  resource: BuiltResource,
  lookup: (ref: ResourceReference) => BuiltResource | undefined,
): SnapshotInconsistency[] {
  const out: SnapshotInconsistency[] = [];
  for (const ref of resourceReferences(resource)) {
    if (lookup(ref)) continue;
    const what = `${WHAT[resource.typeUrl] ?? resource.typeUrl} "${resource.name}"`;
    const missing = `${WHAT[ref.typeUrl] ?? ref.typeUrl} "${ref.name}"`;
    const effect =
      ref.typeUrl === CLUSTER_TYPE_URL && resource.typeUrl === ROUTE_CONFIGURATION_TYPE_URL
        ? ': calls routed there fail with UNAVAILABLE'
        : '';
    out.push({
      typeUrl: resource.typeUrl,
      name: resource.name,
      missing: ref,
      message: `${what} names ${missing}, which the snapshot does not have${effect}`,
    });
  }
  return out;
}
