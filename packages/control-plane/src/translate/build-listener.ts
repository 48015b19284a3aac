// Client listeners (an api_listener whose HttpConnectionManager gets its routes by RDS over ADS,
// with the fault filter and the router last) and server-side inbound listeners for xDS-enabled
// servers (a filter chain whose inline route carries non_forwarding_action). Mutual TLS: STRICT
// puts a DownstreamTlsContext requiring client certificates on the chain; PERMISSIVE (for Shoal
// servers, which tell TLS from plaintext by the first bytes) adds a chain matching
// transport_protocol "tls" with it before the plaintext one, as Envoy's inbound listeners do;
// gRPC servers ignore that chain (gRFC A36) and serve plaintext, as istiod gives them.
// Envoy: config.listener.v3.Listener, ApiListener, FilterChain;
// extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
// Istio: grpcgen's LDS (buildOutboundListeners, buildInboundListeners).

import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { envoy } from '@shoal/xds';
import { FAULT_FILTER_NAME } from './fault-config.js';
import { adsConfigSource } from './proto-values.js';
import { downstreamMutualTls } from './tls-context.js';

export const ROUTER_FILTER_NAME = 'envoy.filters.http.router';
export const HCM_FILTER_NAME = 'envoy.filters.network.http_connection_manager';

function httpFilters(withFault: boolean, before: envoy.HttpFilter[] = []): envoy.HttpFilter[] {
  const filters: envoy.HttpFilter[] = [...before];
  if (withFault) {
    filters.push(
      create(envoy.HttpFilterSchema, {
        name: FAULT_FILTER_NAME,
        configType: {
          case: 'typedConfig',
          value: anyPack(envoy.HTTPFaultSchema, create(envoy.HTTPFaultSchema, {})),
        },
      }),
    );
  }
  filters.push(
    create(envoy.HttpFilterSchema, {
      name: ROUTER_FILTER_NAME,
      configType: { case: 'typedConfig', value: anyPack(envoy.RouterSchema, create(envoy.RouterSchema, {})) },
    }),
  );
  return filters;
}

/** A client listener named as dialled; its route config has the same name. */
export function buildClientListener(name: string): envoy.Listener {
  const hcm = create(envoy.HttpConnectionManagerSchema, {
    statPrefix: name,
    routeSpecifier: { case: 'rds', value: { configSource: adsConfigSource(), routeConfigName: name } },
    httpFilters: httpFilters(true),
  });
  return create(envoy.ListenerSchema, {
    name,
    apiListener: { apiListener: anyPack(envoy.HttpConnectionManagerSchema, hcm) },
  });
}

export interface InboundOptions {
  /**
   * STRICT: client certificates required; PERMISSIVE: mutual TLS and plaintext side by side;
   * DISABLE (default): plaintext.
   */
  mtls?: 'STRICT' | 'PERMISSIVE' | 'DISABLE';
  /** Filters before the router (RBAC from AuthorizationPolicy). */
  filters?: envoy.HttpFilter[];
}

/** The listener an xDS-enabled server on ip:port asks for. */
export function buildInboundListener(
  name: string,
  ip: string,
  port: number,
  options: InboundOptions = {},
): envoy.Listener {
  const mtls = options.mtls ?? 'DISABLE';
  const routeConfig = create(envoy.RouteConfigurationSchema, {
    name: `inbound|${port}`,
    virtualHosts: [
      create(envoy.VirtualHostSchema, {
        name: `inbound|http|${port}`,
        domains: ['*'],
        routes: [
          create(envoy.RouteSchema, {
            name: 'default',
            match: { pathSpecifier: { case: 'prefix', value: '/' } },
            action: { case: 'nonForwardingAction', value: {} },
          }),
        ],
      }),
    ],
  });
  const hcm = create(envoy.HttpConnectionManagerSchema, {
    statPrefix: `inbound_${port}`,
    routeSpecifier: { case: 'routeConfig', value: routeConfig },
    httpFilters: httpFilters(false, options.filters),
  });
  return create(envoy.ListenerSchema, {
    name,
    address: {
      address: {
        case: 'socketAddress',
        value: { address: ip, portSpecifier: { case: 'portValue', value: port } },
      },
    },
    trafficDirection: envoy.TrafficDirection.INBOUND,
    filterChains: [
      ...(mtls === 'PERMISSIVE'
        ? [
            create(envoy.FilterChainSchema, {
              name: `inbound|${port}|tls`,
              filterChainMatch: { transportProtocol: 'tls' },
              transportSocket: downstreamMutualTls(),
              filters: [hcmFilter(hcm)],
            }),
          ]
        : []),
      create(envoy.FilterChainSchema, {
        name: `inbound|${port}`,
        ...(mtls === 'STRICT' ? { transportSocket: downstreamMutualTls() } : {}),
        filters: [hcmFilter(hcm)],
      }),
    ],
  });
}

function hcmFilter(hcm: envoy.HttpConnectionManager): envoy.Filter {
  return create(envoy.FilterSchema, {
    name: HCM_FILTER_NAME,
    configType: { case: 'typedConfig', value: anyPack(envoy.HttpConnectionManagerSchema, hcm) },
  });
}
