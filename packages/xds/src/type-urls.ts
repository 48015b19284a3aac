// xDS type URLs: `type.googleapis.com/` + the message's full name (Envoy v3 API).
import type { DescMessage } from '@bufbuild/protobuf';

const PREFIX = 'type.googleapis.com/';

/** The Any type URL of a message schema. */
export function typeUrlOf(schema: DescMessage): string {
  return PREFIX + schema.typeName;
}

/** The message name in a type URL (everything after the last `/`). */
export function typeNameOfUrl(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

/** The type URL of LDS resources. */
export const LISTENER_TYPE_URL = 'type.googleapis.com/envoy.config.listener.v3.Listener';
/** The type URL of RDS resources. */
export const ROUTE_CONFIGURATION_TYPE_URL = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
/** The type URL of CDS resources. */
export const CLUSTER_TYPE_URL = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
/** The type URL of EDS resources. */
export const CLUSTER_LOAD_ASSIGNMENT_TYPE_URL =
  'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';
/** The type URL of an HttpConnectionManager (a listener's HTTP filter, in an Any). */
export const HTTP_CONNECTION_MANAGER_TYPE_URL =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
export const RBAC_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
export const RBAC_PER_ROUTE_TYPE_URL =
  'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute';
export const FAULT_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
export const AGGREGATE_CLUSTER_TYPE_URL =
  'type.googleapis.com/envoy.extensions.clusters.aggregate.v3.ClusterConfig';
export const UPSTREAM_TLS_CONTEXT_TYPE_URL =
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
export const DOWNSTREAM_TLS_CONTEXT_TYPE_URL =
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
export const FILTER_CONFIG_TYPE_URL = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';
/** SDS: what an Envoy sidecar fetches by name (`default`, `ROOTCA`); proxyless clients never ask. */
export const SECRET_TYPE_URL = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

/** The four resource types of the ADS stream, in dependency order. */
export const RESOURCE_TYPE_URLS = [
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  CLUSTER_TYPE_URL,
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
] as const;
