// The names one xDS resource makes a client look up next: a client listener's RDS route config,
// an EDS cluster's ClusterLoadAssignment, the cluster an assignment is for (the EDS service name
// is the cluster's name, as istiod names them), and the clusters a route sends to (single and
// weighted). The snapshot checks them (consistency) and the ADS sessions keep the clusters routes
// still name (make-before-break).
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
    }
  }
  return out;
}

/** Every resource that `resource` names, each once. */
export function resourceReferences(resource: BuiltResource): ResourceReference[] {
  const names = new Set<string>();
  let typeUrl = '';
  switch (resource.typeUrl) {
    case LISTENER_TYPE_URL: {
      const api = (resource.message as envoy.Listener).apiListener?.apiListener;
      const hcm = api && anyUnpack(api, envoy.HttpConnectionManagerSchema);
      if (hcm?.routeSpecifier.case === 'rds') names.add(hcm.routeSpecifier.value.routeConfigName);
      typeUrl = ROUTE_CONFIGURATION_TYPE_URL;
      break;
    }
    case ROUTE_CONFIGURATION_TYPE_URL:
      for (const name of referencedClusters(resource.message as envoy.RouteConfiguration)) names.add(name);
      typeUrl = CLUSTER_TYPE_URL;
      break;
    case CLUSTER_TYPE_URL: {
      const cluster = resource.message as envoy.Cluster;
      const eds =
        cluster.clusterDiscoveryType.case === 'type' &&
        cluster.clusterDiscoveryType.value === envoy.Cluster_DiscoveryType.EDS;
      if (eds) names.add(cluster.edsClusterConfig?.serviceName || cluster.name);
      typeUrl = CLUSTER_LOAD_ASSIGNMENT_TYPE_URL;
      break;
    }
    case CLUSTER_LOAD_ASSIGNMENT_TYPE_URL:
      names.add((resource.message as envoy.ClusterLoadAssignment).clusterName);
      typeUrl = CLUSTER_TYPE_URL;
      break;
  }
  return [...names].map((name) => ({ typeUrl, name }));
}
