// Envoy resources for the mesh tests, built with @shoal/xds's generated Envoy schemas and packed
// in Any exactly as a control plane sends them, so tests go through the real decoders. Internal.

import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { type Any, anyPack, durationFromMs } from '@bufbuild/protobuf/wkt';
import { envoy, type XdsCluster } from '@shoal/xds';
import { decodeCluster } from '@shoal/xds/plugins';

export type RouteInit = MessageInitShape<typeof envoy.RouteSchema>;
export type VirtualHostInit = MessageInitShape<typeof envoy.VirtualHostSchema>;
export type RouteMatchInit = MessageInitShape<typeof envoy.RouteMatchSchema>;
export type HeaderMatcherInit = MessageInitShape<typeof envoy.HeaderMatcherSchema>;
export type FaultInit = MessageInitShape<typeof envoy.HTTPFaultSchema>;
export type HttpFilterInit = MessageInitShape<typeof envoy.HttpFilterSchema>;

const ads = { configSourceSpecifier: { case: 'ads' as const, value: {} } };

export const routerFilter = {
  name: 'envoy.filters.http.router',
  configType: {
    case: 'typedConfig' as const,
    value: anyPack(envoy.RouterSchema, create(envoy.RouterSchema)),
  },
};

export function faultFilter(init: FaultInit = {}, name = 'envoy.filters.http.fault') {
  return {
    name,
    configType: {
      case: 'typedConfig' as const,
      value: anyPack(envoy.HTTPFaultSchema, create(envoy.HTTPFaultSchema, init)),
    },
  };
}

/** A fault override for typed_per_filter_config. */
export function faultOverride(init: FaultInit): Any {
  return anyPack(envoy.HTTPFaultSchema, create(envoy.HTTPFaultSchema, init));
}

export interface ClientListenerOptions {
  /** RDS name; defaults to the listener's name (istiod's convention). */
  rds?: string;
  /** An inline route configuration instead of RDS. */
  inline?: VirtualHostInit[];
  /** HTTP filters before the router. */
  filters?: HttpFilterInit[];
  maxStreamDurationMs?: number;
}

/** A client Listener (api_listener with an HttpConnectionManager), as gRPC expects (gRFC A27). */
export function clientListener(name: string, o: ClientListenerOptions = {}): Any {
  const hcm = create(envoy.HttpConnectionManagerSchema, {
    routeSpecifier: o.inline
      ? { case: 'routeConfig', value: { name: `${name}-inline`, virtualHosts: o.inline } }
      : { case: 'rds', value: { configSource: ads, routeConfigName: o.rds ?? name } },
    httpFilters: [...(o.filters ?? []), routerFilter],
    ...(o.maxStreamDurationMs !== undefined && {
      commonHttpProtocolOptions: { maxStreamDuration: durationFromMs(o.maxStreamDurationMs) },
    }),
  });
  return anyPack(
    envoy.ListenerSchema,
    create(envoy.ListenerSchema, {
      name,
      apiListener: { apiListener: anyPack(envoy.HttpConnectionManagerSchema, hcm) },
    }),
  );
}

export function routeConfiguration(name: string, virtualHosts: VirtualHostInit[]): Any {
  return anyPack(
    envoy.RouteConfigurationSchema,
    create(envoy.RouteConfigurationSchema, { name, virtualHosts }),
  );
}

/** A route to one cluster or to weighted clusters (`[name, weight]` pairs, with overrides when given). */
export function route(
  match: RouteMatchInit,
  to: string | [string, number, Record<string, Any>?][],
  extra: {
    name?: string;
    typedPerFilterConfig?: Record<string, Any>;
    maxStreamDuration?: {
      maxStreamDuration?: ReturnType<typeof durationFromMs>;
      grpcTimeoutHeaderMax?: ReturnType<typeof durationFromMs>;
    };
    retryPolicy?: MessageInitShape<typeof envoy.RetryPolicySchema>;
    hashPolicy?: MessageInitShape<typeof envoy.RouteAction_HashPolicySchema>[];
  } = {},
): RouteInit {
  const { name, typedPerFilterConfig, ...action } = extra;
  return {
    name: name ?? '',
    match,
    ...(typedPerFilterConfig && { typedPerFilterConfig }),
    action: {
      case: 'route',
      value: {
        ...action,
        clusterSpecifier:
          typeof to === 'string'
            ? { case: 'cluster', value: to }
            : {
                case: 'weightedClusters',
                value: {
                  clusters: to.map(([n, weight, overrides]) => ({
                    name: n,
                    weight,
                    ...(overrides && { typedPerFilterConfig: overrides }),
                  })),
                },
              },
      },
    },
  };
}

export const prefix = (p = ''): RouteMatchInit => ({ pathSpecifier: { case: 'prefix', value: p } });

export interface ClusterOptions {
  lbPolicy?: envoy.Cluster_LbPolicy;
  ringHash?: { minimumRingSize?: bigint; maximumRingSize?: bigint };
  maxRequests?: number;
  /** DEFAULT-priority circuit breaker thresholds; `maxRequests` alone is a shorthand. */
  thresholds?: MessageInitShape<typeof envoy.CircuitBreakers_ThresholdsSchema>;
  outlierDetection?: MessageInitShape<typeof envoy.OutlierDetectionSchema>;
  /** EDS service name, when not the cluster's name. */
  serviceName?: string;
}

/** An EDS cluster over ADS. */
export function edsCluster(name: string, o: ClusterOptions = {}): Any {
  return anyPack(
    envoy.ClusterSchema,
    create(envoy.ClusterSchema, {
      name,
      clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.EDS },
      edsClusterConfig: { edsConfig: ads, serviceName: o.serviceName ?? '' },
      lbPolicy: o.lbPolicy ?? envoy.Cluster_LbPolicy.ROUND_ROBIN,
      ...(o.ringHash && { lbConfig: { case: 'ringHashLbConfig', value: o.ringHash } }),
      ...((o.maxRequests !== undefined || o.thresholds) && {
        circuitBreakers: {
          thresholds: [
            { ...o.thresholds, ...(o.maxRequests !== undefined && { maxRequests: o.maxRequests }) },
          ],
        },
      }),
      ...(o.outlierDetection && { outlierDetection: o.outlierDetection }),
    }),
  );
}

export interface EndpointInit {
  address?: string;
  port: number;
  labels?: Record<string, string>;
  health?: envoy.HealthStatus;
  weight?: number;
}

export interface LocalityInit {
  region?: string;
  zone?: string;
  subZone?: string;
  priority?: number;
  weight?: number;
  endpoints: EndpointInit[];
}

/** A ClusterLoadAssignment; endpoint labels go in `istio` metadata as istiod writes them. */
export function loadAssignment(clusterName: string, localities: LocalityInit[]): Any {
  return anyPack(
    envoy.ClusterLoadAssignmentSchema,
    create(envoy.ClusterLoadAssignmentSchema, {
      clusterName,
      endpoints: localities.map((l) => ({
        locality: { region: l.region ?? '', zone: l.zone ?? '', subZone: l.subZone ?? '' },
        priority: l.priority ?? 0,
        loadBalancingWeight: l.weight ?? 1,
        lbEndpoints: l.endpoints.map((e) => ({
          hostIdentifier: {
            case: 'endpoint' as const,
            value: {
              address: {
                address: {
                  case: 'socketAddress' as const,
                  value: {
                    address: e.address ?? '127.0.0.1',
                    portSpecifier: { case: 'portValue' as const, value: e.port },
                  },
                },
              },
            },
          },
          healthStatus: e.health ?? envoy.HealthStatus.HEALTHY,
          loadBalancingWeight: e.weight ?? 1,
          ...(e.labels && { metadata: { filterMetadata: { istio: { labels: e.labels } } } }),
        })),
      })),
    }),
  );
}

/** A route that lets calls through to the server's own handlers (gRFC A36). */
export function nonForwardingRoute(match: RouteMatchInit, name = ''): RouteInit {
  return { name, match, action: { case: 'nonForwardingAction', value: {} } };
}

/** An inbound (server) Listener with one filter chain, routes inline or over RDS (gRFC A36). */
export function serverListener(
  name: string,
  port: number,
  routes: { inline: VirtualHostInit[] } | { rds: string },
  filters: HttpFilterInit[] = [],
): Any {
  const hcm = create(envoy.HttpConnectionManagerSchema, {
    routeSpecifier:
      'inline' in routes
        ? { case: 'routeConfig', value: { name: 'inbound', virtualHosts: routes.inline } }
        : { case: 'rds', value: { configSource: ads, routeConfigName: routes.rds } },
    httpFilters: [...filters, routerFilter],
  });
  return anyPack(
    envoy.ListenerSchema,
    create(envoy.ListenerSchema, {
      name,
      address: {
        address: {
          case: 'socketAddress',
          value: { address: '127.0.0.1', portSpecifier: { case: 'portValue', value: port } },
        },
      },
      filterChains: [
        {
          name: 'inbound',
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              configType: { case: 'typedConfig', value: anyPack(envoy.HttpConnectionManagerSchema, hcm) },
            },
          ],
        },
      ],
    }),
  );
}

export type RbacInit = MessageInitShape<typeof envoy.RbacFilterSchema>;

/** An RBAC HTTP filter (gRFC A41) for a server listener's chain. */
export function rbacFilter(init: RbacInit, name = 'envoy.filters.http.rbac') {
  return {
    name,
    configType: {
      case: 'typedConfig' as const,
      value: anyPack(envoy.RbacFilterSchema, create(envoy.RbacFilterSchema, init)),
    },
  };
}

/** An aggregate cluster (gRFC A37) over `children`, in priority order. */
export function aggregateCluster(name: string, children: string[]): Any {
  return anyPack(
    envoy.ClusterSchema,
    create(envoy.ClusterSchema, {
      name,
      clusterDiscoveryType: {
        case: 'clusterType',
        value: {
          name: 'envoy.clusters.aggregate',
          typedConfig: anyPack(
            envoy.ClusterConfigSchema,
            create(envoy.ClusterConfigSchema, { clusters: children }),
          ),
        },
      },
      lbPolicy: envoy.Cluster_LbPolicy.ROUND_ROBIN,
    }),
  );
}

/** A cluster as @shoal/xds decodes it (defaults included), for specs of what takes the model. */
export function decodedCluster(name: string, o: ClusterOptions = {}): XdsCluster {
  const r = decodeCluster(edsCluster(name, o));
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.value;
}
