// EDS: Envoy's endpoint.v3.ClusterLoadAssignment decoded and validated into a plain model
// (gRFC A27 localities and priorities, drop overloads; A61 multiple addresses per endpoint).
import type { JsonObject } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import { HealthStatus } from '../gen/envoy/config/core/v3/health_check_pb.js';
import type { LocalityLbEndpoints } from '../gen/envoy/config/endpoint/v3/endpoint_components_pb.js';
import { ClusterLoadAssignmentSchema } from '../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { localityKey, type XdsLocality } from '../locality.js';
import { at, type DecodeResult, finish, index, Problems, resourceMessage } from './decode-result.js';
import { decodeSocketAddress, type XdsSocketAddress } from './socket-address.js';
import { fractionToPerMillion, localityToModel, metadataToModel } from './values.js';

/** Envoy's health status, lower case. gRPC (A27) sends calls only to `unknown` and `healthy` endpoints. */
export type XdsHealthStatus = 'unknown' | 'healthy' | 'unhealthy' | 'draining' | 'timeout' | 'degraded';

/** One endpoint of a locality. */
export interface XdsEndpoint {
  /** The first address; `additionalAddresses` follow it (A61). */
  readonly address: XdsSocketAddress;
  readonly additionalAddresses: readonly XdsSocketAddress[];
  readonly hostname: string;
  readonly health: XdsHealthStatus;
  /** Relative weight within its locality; 1 when unset. */
  readonly weight: number;
  readonly metadata: Readonly<Record<string, JsonObject>>;
}

/** The endpoints of one locality at one priority. */
export interface XdsLocalityEndpoints {
  readonly locality: XdsLocality;
  /** Relative weight among the localities of the same priority (positive). */
  readonly weight: number;
  /** 0 is the most preferred; priorities are contiguous from 0. */
  readonly priority: number;
  readonly endpoints: readonly XdsEndpoint[];
}

/** A validated ClusterLoadAssignment. Localities with weight 0 are left out, as gRPC does. */
export interface XdsClusterLoadAssignment {
  readonly clusterName: string;
  readonly localities: readonly XdsLocalityEndpoints[];
  /** Calls to drop on purpose, per category, in parts per million. */
  readonly dropOverloads: readonly { readonly category: string; readonly perMillion: number }[];
  /** policy.overprovisioning_factor in percent; 140 when unset. */
  readonly overprovisioningFactor: number;
}

const HEALTH: Record<HealthStatus, XdsHealthStatus> = {
  [HealthStatus.UNKNOWN]: 'unknown',
  [HealthStatus.HEALTHY]: 'healthy',
  [HealthStatus.UNHEALTHY]: 'unhealthy',
  [HealthStatus.DRAINING]: 'draining',
  [HealthStatus.TIMEOUT]: 'timeout',
  [HealthStatus.DEGRADED]: 'degraded',
};

const UINT32_MAX = 0xffff_ffff;

/** Decodes an EDS resource (an Any or the message bytes). */
export function decodeClusterLoadAssignment(
  resource: Any | Uint8Array,
): DecodeResult<XdsClusterLoadAssignment> {
  const m = resourceMessage(resource, ClusterLoadAssignmentSchema);
  if ('failure' in m) return m.failure;
  const cla = m.message;
  const problems = new Problems();
  if (cla.clusterName === '') problems.add('cluster_name', 'must not be empty');
  const seenAddresses = new Map<string, string>();
  const seenLocalities = new Map<string, number>();
  const localities: XdsLocalityEndpoints[] = [];
  const priorities = new Set<number>();
  cla.endpoints.forEach((l, i) => {
    const p = index('endpoints', i);
    const key = `${l.priority}/${localityKey(localityToModel(l.locality))}`;
    const other = seenLocalities.get(key);
    if (other !== undefined) {
      problems.add(at(p, 'locality'), `same locality and priority as endpoints[${other}]`);
    }
    seenLocalities.set(key, i);
    const decoded = decodeLocality(l, p, seenAddresses, problems);
    if (!decoded) return;
    // gRPC ignores localities without weight, then requires the rest to have contiguous priorities.
    if (decoded.weight === 0) return;
    priorities.add(decoded.priority);
    localities.push(decoded);
  });
  const sorted = [...priorities].sort((a, b) => a - b);
  if (sorted.some((prio, i) => prio !== i)) {
    problems.add('endpoints', `priorities must be contiguous from 0, got ${sorted.join(', ')}`);
  }
  const dropOverloads = (cla.policy?.dropOverloads ?? []).map((d, i) => ({
    category: d.category,
    perMillion:
      fractionToPerMillion(
        d.dropPercentage,
        at(index('policy.drop_overloads', i), 'drop_percentage'),
        problems,
      ) ?? 0,
  }));
  return finish(
    cla.clusterName,
    {
      clusterName: cla.clusterName,
      localities,
      dropOverloads,
      overprovisioningFactor: cla.policy?.overprovisioningFactor ?? 140,
    },
    problems,
  );
}

function decodeLocality(
  l: LocalityLbEndpoints,
  path: string,
  seenAddresses: Map<string, string>,
  problems: Problems,
): XdsLocalityEndpoints | undefined {
  const before = problems.errors.length;
  const endpoints: XdsEndpoint[] = [];
  let total = 0;
  l.lbEndpoints.forEach((e, j) => {
    const p = index(at(path, 'lb_endpoints'), j);
    if (e.hostIdentifier.case !== 'endpoint') {
      problems.add(at(p, 'endpoint'), 'is required');
      return;
    }
    const ep = e.hostIdentifier.value;
    const address = decodeSocketAddress(ep.address, at(p, 'endpoint.address'), problems);
    const additionalAddresses = ep.additionalAddresses.flatMap((a, k) => {
      const decoded = decodeSocketAddress(
        a.address,
        at(index(at(p, 'endpoint.additional_addresses'), k), 'address'),
        problems,
      );
      return decoded ? [decoded] : [];
    });
    const weight = e.loadBalancingWeight ?? 1;
    if (weight === 0) problems.add(at(p, 'load_balancing_weight'), 'must be greater than 0');
    total += weight;
    if (!address) return;
    for (const a of [address, ...additionalAddresses]) {
      const key = `${a.host}:${a.port}`;
      const other = seenAddresses.get(key);
      if (other !== undefined) problems.add(at(p, 'endpoint'), `duplicate address ${key} (also at ${other})`);
      seenAddresses.set(key, p);
    }
    endpoints.push({
      address,
      additionalAddresses,
      hostname: ep.hostname,
      health: HEALTH[e.healthStatus] ?? 'unknown',
      weight,
      metadata: metadataToModel(e.metadata),
    });
  });
  if (total > UINT32_MAX)
    problems.add(at(path, 'lb_endpoints'), `the sum of weights ${total} exceeds 2^32-1`);
  if (problems.errors.length > before) return undefined;
  return {
    locality: localityToModel(l.locality),
    weight: l.loadBalancingWeight ?? 0,
    priority: l.priority,
    endpoints,
  };
}
