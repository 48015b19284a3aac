// The filters of a sidecar's listeners, in istiod's order and under istiod's names: listener
// filters (original destination, TLS and HTTP inspectors), the HTTP connection manager with its
// HTTP filters (RBAC, gRPC stats, fault, CORS, router last), and the TCP proxy.
// Only Envoy's own extensions are sent. istiod also inserts filters that exist only in Istio's
// build of Envoy (istio.metadata_exchange, istio.alpn, istio.stats, istio_authn); an upstream
// Envoy would reject their types, so they are left out and the others keep their relative order.
// Istio: ListenerBuilder.buildHTTPConnectionManager, xds/filters (GrpcStats, Fault, Cors,
// TLSInspector, HTTPInspector, OriginalDestination), populateListenerFilters.

import { create, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { envoy } from '@shoal/xds';
import { FAULT_FILTER_NAME } from '../fault-config.js';
import { durationFromMs } from '../proto-values.js';

export const HCM_FILTER = 'envoy.filters.network.http_connection_manager';
export const TCP_PROXY_FILTER = 'envoy.filters.network.tcp_proxy';
export const GRPC_STATS_FILTER = 'envoy.filters.http.grpc_stats';
export const CORS_FILTER = 'envoy.filters.http.cors';
export const ROUTER_FILTER = 'envoy.filters.http.router';
export const ORIGINAL_DST_FILTER = 'envoy.filters.listener.original_dst';
export const TLS_INSPECTOR_FILTER = 'envoy.filters.listener.tls_inspector';
export const HTTP_INSPECTOR_FILTER = 'envoy.filters.listener.http_inspector';

function httpFilter<D extends DescMessage>(
  name: string,
  schema: D,
  config: MessageShape<D>,
): envoy.HttpFilter {
  return create(envoy.HttpFilterSchema, {
    name,
    configType: { case: 'typedConfig', value: anyPack(schema, config) },
  });
}

/** An HCM's HTTP filters: `before` (RBAC on inbound chains), then istiod's fixed tail. */
export function sidecarHttpFilters(before: readonly envoy.HttpFilter[] = []): envoy.HttpFilter[] {
  return [
    ...before,
    httpFilter(
      GRPC_STATS_FILTER,
      envoy.GrpcStatsFilterConfigSchema,
      create(envoy.GrpcStatsFilterConfigSchema, {
        emitFilterState: true,
        perMethodStatSpecifier: { case: 'statsForAllMethods', value: { value: false } },
      }),
    ),
    httpFilter(FAULT_FILTER_NAME, envoy.HTTPFaultSchema, create(envoy.HTTPFaultSchema, {})),
    httpFilter(CORS_FILTER, envoy.CorsSchema, create(envoy.CorsSchema, {})),
    httpFilter(ROUTER_FILTER, envoy.RouterSchema, create(envoy.RouterSchema, {})),
  ];
}

export interface ConnectionManagerOptions {
  statPrefix: string;
  /** RDS by this name over ADS (outbound), or an inline route config (inbound). */
  route: string | envoy.RouteConfiguration;
  httpFilters: envoy.HttpFilter[];
  /** Inbound HTTP/2 and gRPC ports: istiod sets HTTP/2 options on the inbound HCM. */
  http2?: boolean;
  /** Inbound chains pass the peer's certificate details on (istiod's proxy-header defaults). */
  inbound?: boolean;
}

/** The HttpConnectionManager as istiod configures it for sidecars. */
export function connectionManager(options: ConnectionManagerOptions): envoy.HttpConnectionManager {
  const hcm = create(envoy.HttpConnectionManagerSchema, {
    codecType: envoy.HttpConnectionManager_CodecType.AUTO,
    statPrefix: options.statPrefix,
    httpFilters: options.httpFilters,
    useRemoteAddress: false,
    upgradeConfigs: [{ upgradeType: 'websocket' }],
    streamIdleTimeout: durationFromMs(0),
    normalizePath: true,
    pathWithEscapedSlashesAction: envoy.HttpConnectionManager_PathWithEscapedSlashesAction.KEEP_UNCHANGED,
  });
  hcm.routeSpecifier =
    typeof options.route === 'string'
      ? {
          case: 'rds',
          value: create(envoy.RdsSchema, {
            configSource: {
              configSourceSpecifier: { case: 'ads', value: {} },
              initialFetchTimeout: durationFromMs(0),
              resourceApiVersion: envoy.ApiVersion.V3,
            },
            routeConfigName: options.route,
          }),
        }
      : { case: 'routeConfig', value: options.route };
  if (options.http2) hcm.http2ProtocolOptions = create(envoy.Http2ProtocolOptionsSchema, {});
  if (options.inbound) {
    hcm.forwardClientCertDetails = envoy.HttpConnectionManager_ForwardClientCertDetails.APPEND_FORWARD;
    hcm.setCurrentClientCertDetails = create(envoy.HttpConnectionManager_SetCurrentClientCertDetailsSchema, {
      subject: true,
      dns: true,
      uri: true,
    });
  }
  return hcm;
}

export function hcmFilter(hcm: envoy.HttpConnectionManager): envoy.Filter {
  return create(envoy.FilterSchema, {
    name: HCM_FILTER,
    configType: { case: 'typedConfig', value: anyPack(envoy.HttpConnectionManagerSchema, hcm) },
  });
}

/** A TCP proxy to `cluster`; istiod's stat prefix is the cluster's name. */
export function tcpProxyFilter(cluster: string): envoy.Filter {
  const config = create(envoy.TcpProxySchema, {
    statPrefix: cluster,
    clusterSpecifier: { case: 'cluster', value: cluster },
  });
  return create(envoy.FilterSchema, {
    name: TCP_PROXY_FILTER,
    configType: { case: 'typedConfig', value: anyPack(envoy.TcpProxySchema, config) },
  });
}

function listenerFilter<D extends DescMessage>(
  name: string,
  schema: D,
  config: MessageShape<D>,
  disabledOn?: envoy.ListenerFilterChainMatchPredicate,
): envoy.ListenerFilter {
  return create(envoy.ListenerFilterSchema, {
    name,
    configType: { case: 'typedConfig', value: anyPack(schema, config) },
    ...(disabledOn ? { filterDisabled: disabledOn } : {}),
  });
}

export function originalDstFilter(): envoy.ListenerFilter {
  return listenerFilter(ORIGINAL_DST_FILTER, envoy.OriginalDstSchema, create(envoy.OriginalDstSchema, {}));
}

export function tlsInspectorFilter(
  disabledOn?: envoy.ListenerFilterChainMatchPredicate,
): envoy.ListenerFilter {
  // istiod reads 512 bytes of a ClientHello instead of Envoy's 64 KiB default.
  const config = create(envoy.TlsInspectorSchema, { initialReadBufferSize: 512 });
  return listenerFilter(TLS_INSPECTOR_FILTER, envoy.TlsInspectorSchema, config, disabledOn);
}

export function httpInspectorFilter(
  disabledOn?: envoy.ListenerFilterChainMatchPredicate,
): envoy.ListenerFilter {
  const config = create(envoy.HttpInspectorSchema, {});
  return listenerFilter(HTTP_INSPECTOR_FILTER, envoy.HttpInspectorSchema, config, disabledOn);
}

/** Matches connections to any of `ports` (Envoy's port ranges are [start, end)). */
export function destinationPorts(ports: readonly number[]): envoy.ListenerFilterChainMatchPredicate {
  const rules = [...ports]
    .sort((a, b) => a - b)
    .map((p) =>
      create(envoy.ListenerFilterChainMatchPredicateSchema, {
        rule: { case: 'destinationPortRange', value: { start: p, end: p + 1 } },
      }),
    );
  if (rules.length === 1) return rules[0]!;
  return create(envoy.ListenerFilterChainMatchPredicateSchema, {
    rule: { case: 'orMatch', value: { rules } },
  });
}
