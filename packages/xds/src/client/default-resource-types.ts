// The four resource types of the ADS stream (gRFC A27: LDS and CDS are state-of-the-world complete,
// RDS and EDS are not), wired to the decoders and validators in ../resources. This is the one place
// where a client gets its built-in types; an app may register more with registerResourceType().
import type { Any } from '@bufbuild/protobuf/wkt';
import { decodeCluster, type XdsCluster } from '../resources/cluster.js';
import {
  decodeClusterLoadAssignment,
  type XdsClusterLoadAssignment,
} from '../resources/cluster-load-assignment.js';
import { createDefaultHttpFilterRegistry, type HttpFilterRegistry } from '../resources/http-filters.js';
import { decodeListener, type XdsListener } from '../resources/listener.js';
import { decodeRouteConfiguration, type XdsRouteConfiguration } from '../resources/route-configuration.js';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from '../type-urls.js';
import type { XdsResourceType } from './resource-type.js';

export interface DefaultResourceTypeOptions {
  /** HTTP filters understood in Listeners and RouteConfigurations. Default: router, fault and RBAC. */
  readonly httpFilters?: HttpFilterRegistry;
}

/** Anything that can take resource types (an XdsClient). */
export interface ResourceTypeSink {
  registerResourceType<T>(type: XdsResourceType<T>): unknown;
}

export function listenerResourceType(options: DefaultResourceTypeOptions = {}): XdsResourceType<XdsListener> {
  const httpFilters = options.httpFilters ?? createDefaultHttpFilterRegistry();
  return {
    typeUrl: LISTENER_TYPE_URL,
    shortName: 'lds',
    resourceLabel: 'listener',
    allResourcesRequired: true,
    decode: (resource: Any) => decodeListener(resource, { httpFilters }),
  };
}

export function routeConfigurationResourceType(
  options: DefaultResourceTypeOptions = {},
): XdsResourceType<XdsRouteConfiguration> {
  const httpFilters = options.httpFilters ?? createDefaultHttpFilterRegistry();
  return {
    typeUrl: ROUTE_CONFIGURATION_TYPE_URL,
    shortName: 'rds',
    resourceLabel: 'route_configuration',
    allResourcesRequired: false,
    decode: (resource: Any) => decodeRouteConfiguration(resource, { httpFilters }),
  };
}

export function clusterResourceType(): XdsResourceType<XdsCluster> {
  return {
    typeUrl: CLUSTER_TYPE_URL,
    shortName: 'cds',
    resourceLabel: 'cluster',
    allResourcesRequired: true,
    decode: (resource: Any) => decodeCluster(resource),
  };
}

export function clusterLoadAssignmentResourceType(): XdsResourceType<XdsClusterLoadAssignment> {
  return {
    typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
    shortName: 'eds',
    resourceLabel: 'cluster_load_assignment',
    allResourcesRequired: false,
    decode: (resource: Any) => decodeClusterLoadAssignment(resource),
  };
}

/** Registers Listener, RouteConfiguration, Cluster and ClusterLoadAssignment. */
export function registerDefaultResourceTypes<C extends ResourceTypeSink>(
  client: C,
  options: DefaultResourceTypeOptions = {},
): C {
  const httpFilters = options.httpFilters ?? createDefaultHttpFilterRegistry();
  client.registerResourceType(listenerResourceType({ httpFilters }));
  client.registerResourceType(routeConfigurationResourceType({ httpFilters }));
  client.registerResourceType(clusterResourceType());
  client.registerResourceType(clusterLoadAssignmentResourceType());
  return client;
}
