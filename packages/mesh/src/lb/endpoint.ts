// The mesh-level endpoint: what the load balancers pick from. A later assembly step fills it from
// the EDS model (Envoy: endpoint.v3.ClusterLoadAssignment → LocalityLbEndpoints → LbEndpoint).

import { Problems, type XdsHealthStatus } from '@shoal/xds/plugins';
import { refuseIfAny } from './plain-config.js';

const healthStatuses: ReadonlySet<string> = new Set<XdsHealthStatus>([
  'unknown',
  'healthy',
  'unhealthy',
  'draining',
  'timeout',
  'degraded',
]);

/** Envoy: config.core.v3.Locality. */
export interface Locality {
  readonly region: string;
  readonly zone: string;
  readonly subZone: string;
}

/** An endpoint as pickers see it: address, locality, weight, health and metadata. */
export interface MeshEndpoint {
  /** `address:port` (IPv6 in brackets): the identity used by outlier detection and hashing. */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  /** load_balancing_weight of the LbEndpoint, ≥ 1. */
  readonly weight: number;
  /** As @shoal/xds decodes it (Envoy: config.core.v3.HealthStatus). */
  readonly health: XdsHealthStatus;
  readonly locality: Locality;
  /** `region/zone/subzone` (localityKey), made once: calls name it in decisions and telemetry. */
  readonly localityKey: string;
  /** load_balancing_weight of the endpoint's LocalityLbEndpoints; 0 when the control plane sent none. */
  readonly localityWeight: number;
  /** Priority of the endpoint's LocalityLbEndpoints; 0 is the most preferred. */
  readonly priority: number;
  /** Workload labels (version, zone, …) from endpoint metadata. */
  readonly labels: Readonly<Record<string, string>>;
  /** Key for ring hash and maglev instead of `key` (Envoy: the `envoy.lb` metadata's `hash_key`). */
  readonly hashKey: string;
}

export interface MeshEndpointInit {
  address: string;
  port: number;
  weight?: number;
  health?: XdsHealthStatus;
  locality?: Partial<Locality>;
  localityWeight?: number;
  priority?: number;
  labels?: Record<string, string>;
  hashKey?: string;
}

/** gRPC A27: only HEALTHY and UNKNOWN endpoints take traffic. DEGRADED, DRAINING, TIMEOUT do not. */
export function isUsableHealth(health: XdsHealthStatus): boolean {
  return health === 'healthy' || health === 'unknown';
}

export function endpointKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function localityKey(l: Locality): string {
  return `${l.region}/${l.zone}/${l.subZone}`;
}

/** Validates one endpoint; errors name the field under `path` (e.g. `endpoints[3].port`). */
export function createEndpoint(init: MeshEndpointInit, path = 'endpoint'): MeshEndpoint {
  const errors = new Problems();
  if (typeof init.address !== 'string' || init.address === '') errors.add(`${path}.address`, 'must be set');
  if (!Number.isInteger(init.port) || init.port < 0 || init.port > 65535)
    errors.add(`${path}.port`, `must be an integer in [0, 65535], got ${init.port}`);
  const weight = init.weight ?? 1;
  if (!Number.isInteger(weight) || weight < 1 || weight > 0xffffffff)
    errors.add(`${path}.weight`, `must be an integer ≥ 1, got ${weight}`);
  const health = init.health ?? 'unknown';
  if (!healthStatuses.has(health)) errors.add(`${path}.health`, `unknown health status ${String(health)}`);
  const localityWeight = init.localityWeight ?? 0;
  if (!Number.isInteger(localityWeight) || localityWeight < 0)
    errors.add(`${path}.localityWeight`, `must be a non-negative integer, got ${localityWeight}`);
  const priority = init.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > 127)
    errors.add(`${path}.priority`, `must be an integer in [0, 127], got ${priority}`);
  refuseIfAny(errors, 'endpoint');
  const key = endpointKey(init.address, init.port);
  const locality: Locality = Object.freeze({
    region: init.locality?.region ?? '',
    zone: init.locality?.zone ?? '',
    subZone: init.locality?.subZone ?? '',
  });
  return Object.freeze({
    key,
    address: init.address,
    port: init.port,
    weight,
    health,
    locality,
    localityKey: localityKey(locality),
    localityWeight,
    priority,
    labels: Object.freeze({ ...init.labels }),
    hashKey: init.hashKey ?? key,
  });
}
