// The ADS resource types served: their short names (as Istio's proxy-status shows them), the
// make-before-break order they are pushed in, and which of them take the legacy wildcard. Secrets
// (SDS) are served to Envoy sidecars only, after the rest, as istiod orders them (PushOrder).
// Envoy: xDS protocol ("Eventual consistency considerations", "How the client specifies what
// resources to return").

import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from '@shoal/xds';
import { SECRET_TYPE_URL } from '@shoal/xds/plugins';

/** The resource types by their discovery service names. */
export type ShortType = 'LDS' | 'RDS' | 'CDS' | 'EDS' | 'SDS';

export const SHORT_TYPES: Readonly<Record<string, ShortType>> = {
  [LISTENER_TYPE_URL]: 'LDS',
  [ROUTE_CONFIGURATION_TYPE_URL]: 'RDS',
  [CLUSTER_TYPE_URL]: 'CDS',
  [CLUSTER_LOAD_ASSIGNMENT_TYPE_URL]: 'EDS',
  [SECRET_TYPE_URL]: 'SDS',
};

/** Make-before-break: clusters and endpoints go out before the listeners and routes using them. */
export const PUSH_ORDER: readonly string[] = [
  CLUSTER_TYPE_URL,
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  SECRET_TYPE_URL,
];

/** Types whose empty first request means "everything" (legacy wildcard). */
export function allowsWildcard(typeUrl: string): boolean {
  return typeUrl === LISTENER_TYPE_URL || typeUrl === CLUSTER_TYPE_URL;
}
