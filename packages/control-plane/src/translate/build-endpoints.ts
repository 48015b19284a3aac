// ClusterLoadAssignments: a cluster's endpoints grouped by locality, with weights, health, labels
// as metadata, and priorities as seen from the client's locality.
// Envoy: config.endpoint.v3.ClusterLoadAssignment; Istio: locality load balancing.
// gRPC ignores localities without a weight (gRFC A27), so every locality carries one.

import { create, type JsonObject } from '@bufbuild/protobuf';
import { envoy, parseLocality, type XdsLocality } from '@shoal/xds';
import type { LocalityLoadBalancerSetting } from '../config/networking-types.js';
import { compactLevels, distributeWeights, failoverLevel } from './locality-priority.js';
import type { MeshEndpoint } from './mesh-input.js';
import { TLS_MODE_LABEL, TRANSPORT_SOCKET_MATCH_KEY } from './sidecar/sidecar-tls.js';

export interface EndpointOptions {
  /** The client's locality (`region/zone/subzone`), '' when unknown. */
  clientLocality: string;
  localityLb?: LocalityLoadBalancerSetting;
}

export function buildLoadAssignment(
  name: string,
  endpoints: readonly MeshEndpoint[],
  options: EndpointOptions,
): envoy.ClusterLoadAssignment {
  // Keyed by the untrimmed `region/zone/subzone`, whose order is the order localities are listed in.
  const groups = new Map<string, { locality: XdsLocality; endpoints: MeshEndpoint[] }>();
  for (const ep of endpoints) {
    const locality = parseLocality(ep.locality);
    const key = `${locality.region}/${locality.zone}/${locality.subZone}`;
    const group = groups.get(key);
    if (group) group.endpoints.push(ep);
    else groups.set(key, { locality, endpoints: [ep] });
  }
  const enabled = options.localityLb?.enabled !== false && options.clientLocality !== '';
  const client = parseLocality(options.clientLocality);
  const distribute = enabled ? distributeWeights(client, options.localityLb) : undefined;
  const list = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  // With `distribute`, all localities share priority 0 and traffic follows the weights.
  const levels = list.map((g) =>
    enabled && !distribute ? failoverLevel(client, g.locality, options.localityLb) : 0,
  );
  const priorityOf = compactLevels(levels);

  const out: envoy.LocalityLbEndpoints[] = [];
  list.forEach((group, index) => {
    const sum = group.endpoints.reduce((total, ep) => total + (ep.weight ?? 1), 0);
    const weight = distribute ? distribute(group.locality) : sum;
    if (weight <= 0) return;
    out.push(
      create(envoy.LocalityLbEndpointsSchema, {
        locality: group.locality,
        lbEndpoints: [...group.endpoints].sort(byAddress).map(lbEndpoint),
        loadBalancingWeight: weight,
        priority: priorityOf.get(levels[index] ?? 0) ?? 0,
      }),
    );
  });
  // Priorities must be contiguous from 0 after localities with weight 0 were dropped.
  const remap = compactLevels(out.map((l) => l.priority));
  for (const l of out) l.priority = remap.get(l.priority) ?? 0;
  return create(envoy.ClusterLoadAssignmentSchema, { clusterName: name, endpoints: out });
}

function lbEndpoint(ep: MeshEndpoint): envoy.LbEndpoint {
  const H = envoy.HealthStatus;
  const health = ep.health === 'UNHEALTHY' ? H.UNHEALTHY : ep.health === 'DRAINING' ? H.DRAINING : H.HEALTHY;
  const labels: JsonObject = { ...ep.labels };
  const tlsMode = ep.labels[TLS_MODE_LABEL];
  return create(envoy.LbEndpointSchema, {
    hostIdentifier: {
      case: 'endpoint',
      value: {
        address: {
          address: {
            case: 'socketAddress',
            value: { address: ep.address, portSpecifier: { case: 'portValue', value: ep.port } },
          },
        },
      },
    },
    healthStatus: health,
    loadBalancingWeight: ep.weight ?? 1,
    metadata: {
      filterMetadata: {
        istio: { labels, ...(ep.origin ? { workload: ep.origin } : {}) },
        'envoy.lb': labels,
        // Auto mTLS: a sidecar cluster's transport_socket_matches select on this (istiod's
        // security.istio.io/tlsMode label of workloads that run a mesh proxy).
        ...(tlsMode ? { [TRANSPORT_SOCKET_MATCH_KEY]: { tlsMode } } : {}),
      },
    },
  });
}

function byAddress(a: MeshEndpoint, b: MeshEndpoint): number {
  const ka = `${a.address}:${a.port}`;
  const kb = `${b.address}:${b.port}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
