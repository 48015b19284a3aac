// EDS → the load balancers' endpoints (Envoy: endpoint.v3.ClusterLoadAssignment, LbEndpoint;
// gRFC A27). Each endpoint carries its locality's weight and priority; workload labels come from
// the `istio` filter metadata's `labels` (as istiod and Shoal's control plane write them) or,
// failing that, from `envoy.lb`; a `hash_key` in `envoy.lb` replaces the address for ring hash.

import type { JsonObject } from '@bufbuild/protobuf';
import type { XdsClusterLoadAssignment } from '@shoal/xds/client';
import type { XdsEndpoint } from '@shoal/xds/plugins';
import { createEndpoint, type MeshEndpoint } from '../lb/endpoint.js';

function stringRecord(v: unknown): Record<string, string> | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function labelsOf(metadata: Readonly<Record<string, JsonObject>>): Record<string, string> {
  return stringRecord(metadata.istio?.labels) ?? stringRecord(metadata['envoy.lb']) ?? {};
}

function hashKeyOf(e: XdsEndpoint): string | undefined {
  const key = metadataString(e.metadata['envoy.lb'], 'hash_key');
  return key === '' ? undefined : key;
}

function metadataString(o: JsonObject | undefined, key: string): string | undefined {
  const v = o?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** The endpoints of an assignment, in EDS order; `path` names the resource in errors. */
export function endpointsFromAssignment(cla: XdsClusterLoadAssignment): MeshEndpoint[] {
  const out: MeshEndpoint[] = [];
  cla.localities.forEach((l, i) => {
    l.endpoints.forEach((e, j) => {
      const hashKey = hashKeyOf(e);
      out.push(
        createEndpoint(
          {
            address: e.address.host,
            port: e.address.port,
            weight: e.weight,
            health: e.health,
            locality: l.locality,
            localityWeight: l.weight,
            priority: l.priority,
            labels: labelsOf(e.metadata),
            ...(hashKey !== undefined && { hashKey }),
          },
          `${cla.clusterName}.endpoints[${i}].lb_endpoints[${j}]`,
        ),
      );
    });
  });
  return out;
}
