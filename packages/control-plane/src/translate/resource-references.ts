// The names one xDS resource makes a client look up next: a client listener's RDS route config
// (for a sidecar's socket listeners, each chain's route config or clusters),
// an EDS cluster's ClusterLoadAssignment, the cluster an assignment is for (the EDS service name
// is the cluster's name, as istiod names them), and the clusters a route sends to (single and
// weighted). The snapshot checks them (consistency) and the ADS sessions keep the clusters routes
// still name (make-before-break), mirror clusters included.
// Envoy: xDS protocol ("Eventual consistency considerations"); HttpConnectionManager.rds,
// Cluster.eds_cluster_config.service_name, RouteAction.cluster_specifier.

import { anyUnpack } from '@bufbuild/protobuf/wkt';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  envoy,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from '@shoal/xds';
import { HTTP_CONNECTION_MANAGER_TYPE_URL, typeUrlOf } from '@shoal/xds/plugins';
import type { BuiltResource } from './built-resource.js';

export interface ResourceReference {
  typeUrl: string;
  name: string;
}

/** The clusters a RouteConfiguration sends to, in order, with repeats. */
export function referencedClusters(rc: envoy.RouteConfiguration): string[] {
  const out: string[] = [];
  for (const vh of rc.virtualHosts) {
    for (const route of vh.routes) {
      if (route.action.case !== 'route') continue;
      const spec = route.action.value.clusterSpecifier;
      if (spec.case === 'cluster') out.push(spec.value);
      else if (spec.case === 'weightedClusters') out.push(...spec.value.clusters.map((c) => c.name));
      out.push(...route.action.value.requestMirrorPolicies.map((m) => m.cluster));
    }
  }
  return out;
}

/** Every resource that `resource` names, each once. */
export function resourceReferences(resource: BuiltResource): ResourceReference[] {
  const refs = new Map<string, ResourceReference>();
  const add = (typeUrl: string, name: string) => refs.set(`${typeUrl}\u0000${name}`, { typeUrl, name });
  switch (resource.typeUrl) {
    case LISTENER_TYPE_URL:
      listenerReferences(resource.message as envoy.Listener, add);
      break;
    case ROUTE_CONFIGURATION_TYPE_URL:
      for (const name of referencedClusters(resource.message as envoy.RouteConfiguration)) {
        add(CLUSTER_TYPE_URL, name);
      }
      break;
    case CLUSTER_TYPE_URL: {
      const cluster = resource.message as envoy.Cluster;
      const eds =
        cluster.clusterDiscoveryType.case === 'type' &&
        cluster.clusterDiscoveryType.value === envoy.Cluster_DiscoveryType.EDS;
      if (eds) add(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, cluster.edsClusterConfig?.serviceName || cluster.name);
      break;
    }
    case CLUSTER_LOAD_ASSIGNMENT_TYPE_URL:
      add(CLUSTER_TYPE_URL, (resource.message as envoy.ClusterLoadAssignment).clusterName);
      break;
  }
  return [...refs.values()];
}

/**
 * A proxyless client listener names its RDS route config; a sidecar's socket listener names, per
 * filter chain, an RDS route config or the clusters of its inline one, and its TCP proxies' clusters.
 */
function listenerReferences(listener: envoy.Listener, add: (typeUrl: string, name: string) => void): void {
  const hcm = (any: envoy.Filter['configType']['value'] | undefined) =>
    any && anyUnpack(any, envoy.HttpConnectionManagerSchema);
  const fromHcm = (m: envoy.HttpConnectionManager | undefined) => {
    if (m?.routeSpecifier.case === 'rds')
      add(ROUTE_CONFIGURATION_TYPE_URL, m.routeSpecifier.value.routeConfigName);
    else if (m?.routeSpecifier.case === 'routeConfig') {
      for (const name of referencedClusters(m.routeSpecifier.value)) add(CLUSTER_TYPE_URL, name);
    }
  };
  fromHcm(hcm(listener.apiListener?.apiListener));
  const chains = [
    ...listener.filterChains,
    ...(listener.defaultFilterChain ? [listener.defaultFilterChain] : []),
  ];
  for (const filter of chains.flatMap((c) => c.filters)) {
    const any = filter.configType.value;
    if (!any) continue;
    if (any.typeUrl === HTTP_CONNECTION_MANAGER_TYPE_URL) fromHcm(hcm(any));
    else if (any.typeUrl === typeUrlOf(envoy.TcpProxySchema)) {
      const tcp = anyUnpack(any, envoy.TcpProxySchema);
      if (tcp?.clusterSpecifier.case === 'cluster') add(CLUSTER_TYPE_URL, tcp.clusterSpecifier.value);
    }
  }
}
