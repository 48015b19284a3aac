// A sidecar's outbound listeners: `virtualOutbound` on 15001, where iptables sends every
// outbound connection (use_original_dst hands each to the listener of its original port, else
// it passes through), and one `0.0.0.0_PORT` listener per service port, not bound to the port
// itself. An HTTP port's listener runs an HttpConnectionManager whose routes come by RDS under
// the port's number, for connections the HTTP inspector recognises as HTTP/1.1 or h2c; anything
// else on the port passes through. A TCP port's listener proxies to the port's service.
// Istio: listener_builder.go (buildVirtualOutboundListener, blackholeFilterChain,
// buildOutboundCatchAllNetworkFiltersOnly), listener.go (buildSidecarOutboundListener,
// buildSidecarOutboundHTTPListenerOpts, buildListenerFromEntry).

import { create } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';
import { durationFromMs } from '../proto-values.js';
import {
  connectionManager,
  hcmFilter,
  httpInspectorFilter,
  sidecarHttpFilters,
  tcpProxyFilter,
} from './sidecar-filters.js';
import {
  BLACKHOLE_CLUSTER,
  OUTBOUND_BLACKHOLE_CHAIN,
  OUTBOUND_CAPTURE_PORT,
  OUTBOUND_CATCH_ALL_TCP_CHAIN,
  PASSTHROUGH_CLUSTER,
  PASSTHROUGH_FILTER_CHAIN,
  portListenerName,
  statName,
  VIRTUAL_OUTBOUND,
  WILDCARD,
} from './sidecar-names.js';

function socketAddress(port: number): envoy.Address {
  return create(envoy.AddressSchema, {
    address: {
      case: 'socketAddress',
      value: { address: WILDCARD, portSpecifier: { case: 'portValue', value: port } },
    },
  });
}

export function buildVirtualOutbound(): envoy.Listener {
  return create(envoy.ListenerSchema, {
    name: VIRTUAL_OUTBOUND,
    address: socketAddress(OUTBOUND_CAPTURE_PORT),
    useOriginalDst: true,
    trafficDirection: envoy.TrafficDirection.OUTBOUND,
    filterChains: [
      // Connections sent to 15001 itself would loop.
      create(envoy.FilterChainSchema, {
        name: OUTBOUND_BLACKHOLE_CHAIN,
        filterChainMatch: { destinationPort: OUTBOUND_CAPTURE_PORT },
        filters: [tcpProxyFilter(BLACKHOLE_CLUSTER)],
      }),
      create(envoy.FilterChainSchema, {
        name: OUTBOUND_CATCH_ALL_TCP_CHAIN,
        filters: [tcpProxyFilter(PASSTHROUGH_CLUSTER)],
      }),
    ],
  });
}

export interface PortListenerOptions {
  port: number;
  /** Serve HTTP (routes by RDS `PORT`) on connections that look like HTTP/1.1 or h2c. */
  http: boolean;
  /** Where other connections go: the port's TCP service cluster, else the PassthroughCluster. */
  tcpCluster?: string;
}

export function buildPortListener(options: PortListenerOptions): envoy.Listener {
  const name = portListenerName(options.port);
  const listener = create(envoy.ListenerSchema, {
    name,
    address: socketAddress(options.port),
    trafficDirection: envoy.TrafficDirection.OUTBOUND,
    continueOnListenerFiltersTimeout: true,
    bindToPort: false,
    listenerFiltersTimeout: durationFromMs(0),
  });
  const tcp = create(envoy.FilterChainSchema, {
    filters: [tcpProxyFilter(options.tcpCluster ?? PASSTHROUGH_CLUSTER)],
  });
  if (!options.http) {
    listener.filterChains = [tcp];
    return listener;
  }
  listener.listenerFilters = [httpInspectorFilter()];
  const hcm = connectionManager({
    statPrefix: statName(`outbound_${name}`),
    route: String(options.port),
    httpFilters: sidecarHttpFilters(),
  });
  listener.filterChains = [
    create(envoy.FilterChainSchema, {
      filterChainMatch: { transportProtocol: 'raw_buffer', applicationProtocols: ['http/1.1', 'h2c'] },
      filters: [hcmFilter(hcm)],
    }),
  ];
  listener.defaultFilterChain = options.tcpCluster
    ? create(envoy.FilterChainSchema, { filterChainMatch: {}, filters: tcp.filters })
    : create(envoy.FilterChainSchema, {
        name: PASSTHROUGH_FILTER_CHAIN,
        filterChainMatch: {},
        filters: tcp.filters,
      });
  return listener;
}
