// A sidecar's `virtualInbound` listener on 15006, where iptables sends every connection to the
// workload. Filter chains, in istiod's order: the blackhole for connections to 15006 itself, the
// passthrough chains for ports no service declares (to InboundPassthroughCluster), then the
// chains of each service port of the workload (named `0.0.0.0_PORT`, matched on the destination
// port). Which chains a port gets depends on its mTLS mode (PeerAuthentication) and protocol:
// STRICT serves only mutual TLS, PERMISSIVE tells TLS from plaintext (and Istio's ALPN from any
// other), DISABLE serves plaintext. HTTP chains run the RBAC HTTP filters of AuthorizationPolicy,
// TCP chains (those of TCP ports, the TCP side of sniffed ones, and the passthrough's) its RBAC
// network filters before the TCP proxy.
// Istio: listener_inbound.go (buildInboundListeners, buildInboundPassthroughChains,
// buildInboundBlackhole, populateListenerFilters, buildTLSInspector, buildHTTPInspector),
// filterchain_options.go (the chain matches per mode and protocol).

import { create } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';
import type { MutualTLSMode } from '../../config/security-types.js';
import { durationFromMs } from '../proto-values.js';
import type { PortProtocol } from './port-protocol.js';
import {
  connectionManager,
  destinationPorts,
  hcmFilter,
  httpInspectorFilter,
  originalDstFilter,
  sidecarHttpFilters,
  tcpProxyFilter,
  tlsInspectorFilter,
} from './sidecar-filters.js';
import {
  BLACKHOLE_CLUSTER,
  INBOUND_BLACKHOLE_CHAIN,
  INBOUND_CAPTURE_PORT,
  INBOUND_CATCH_ALL_HTTP_CHAIN,
  INBOUND_PASSTHROUGH_CLUSTER,
  inboundClusterName,
  portListenerName,
  statName,
  VIRTUAL_INBOUND,
  WILDCARD,
} from './sidecar-names.js';
import { buildInboundRouteConfiguration } from './sidecar-routes.js';
import { inboundMutualTls } from './sidecar-tls.js';

export type MtlsMode = Exclude<MutualTLSMode, 'UNSET'>;

/** A port of the workload, as a service declares it. */
export interface InboundPort {
  /** The port the application listens on (the service's targetPort). */
  targetPort: number;
  servicePort: number;
  host: string;
  protocol: PortProtocol;
  mode: MtlsMode;
}

export interface VirtualInboundOptions {
  ports: readonly InboundPort[];
  /** The mode for ports no service declares (the namespace's or the mesh's). */
  passthroughMode: MtlsMode;
  /** RBAC HTTP filters from AuthorizationPolicy, for every HTTP chain. */
  rbac: readonly envoy.HttpFilter[];
  /** RBAC network filters from AuthorizationPolicy, for every TCP chain. */
  tcpRbac: readonly envoy.Filter[];
  trustDomain: string;
}

interface ChainOption {
  kind: 'http' | 'tcp';
  transport: 'tls' | 'raw_buffer';
  alpn?: readonly string[];
  /** Terminate mutual TLS on this chain (a `tls` chain without it passes TLS through as TCP). */
  mtls?: true;
}

const PLAINTEXT_HTTP_ALPN = ['http/1.1', 'h2c'];
const MTLS_HTTP_ALPN = ['istio-http/1.0', 'istio-http/1.1', 'istio-h2'];
const ALL_ISTIO_MTLS_ALPN = ['istio', 'istio-peer-exchange', ...MTLS_HTTP_ALPN];
const MTLS_TCP_ALPN = ['istio-peer-exchange', 'istio'];

/** istiod's filter chain matches for a mode and a protocol (filterchain_options.go). */
function chainOptions(mode: MtlsMode, protocol: 'http' | 'tcp' | 'auto'): ChainOption[] {
  const tls = 'tls' as const;
  const raw = 'raw_buffer' as const;
  if (protocol === 'auto') {
    if (mode === 'STRICT') {
      return [
        { kind: 'http', transport: tls, alpn: MTLS_HTTP_ALPN, mtls: true },
        { kind: 'tcp', transport: tls, mtls: true },
      ];
    }
    if (mode === 'PERMISSIVE') {
      return [
        { kind: 'http', transport: tls, alpn: MTLS_HTTP_ALPN, mtls: true },
        { kind: 'http', transport: raw, alpn: PLAINTEXT_HTTP_ALPN },
        { kind: 'tcp', transport: tls, alpn: MTLS_TCP_ALPN, mtls: true },
        { kind: 'tcp', transport: raw },
        { kind: 'tcp', transport: tls },
      ];
    }
    return [
      { kind: 'http', transport: raw, alpn: PLAINTEXT_HTTP_ALPN },
      { kind: 'tcp', transport: raw },
    ];
  }
  if (mode === 'STRICT') return [{ kind: protocol, transport: tls, mtls: true }];
  if (mode === 'PERMISSIVE') {
    return protocol === 'http'
      ? [
          { kind: 'http', transport: tls, alpn: ALL_ISTIO_MTLS_ALPN, mtls: true },
          { kind: 'http', transport: raw },
        ]
      : [
          { kind: 'tcp', transport: tls, alpn: ALL_ISTIO_MTLS_ALPN, mtls: true },
          { kind: 'tcp', transport: tls },
          { kind: 'tcp', transport: raw },
        ];
  }
  return [{ kind: protocol, transport: raw }];
}

interface ChainTarget {
  name: (kind: 'http' | 'tcp') => string;
  /** Matched destination port; undefined for the passthrough chains. */
  port?: number;
  cluster: string;
  servicePort: number;
  host: string;
  protocol: PortProtocol;
}

function buildChains(
  target: ChainTarget,
  mode: MtlsMode,
  options: VirtualInboundOptions,
): envoy.FilterChain[] {
  const protocol = target.protocol === 'auto' ? 'auto' : target.protocol === 'tcp' ? 'tcp' : 'http';
  return chainOptions(mode, protocol).map((opt) => {
    const chain = create(envoy.FilterChainSchema, {
      name: target.name(opt.kind),
      filterChainMatch: {
        ...(target.port !== undefined ? { destinationPort: target.port } : {}),
        transportProtocol: opt.transport,
        applicationProtocols: [...(opt.alpn ?? [])],
      },
      filters:
        opt.kind === 'http'
          ? [inboundHttpFilter(target, options)]
          : [...options.tcpRbac, tcpProxyFilter(target.cluster)],
    });
    if (opt.mtls) chain.transportSocket = inboundMutualTls(opt.kind, options.trustDomain);
    return chain;
  });
}

function inboundHttpFilter(target: ChainTarget, options: VirtualInboundOptions): envoy.Filter {
  const passthrough = target.port === undefined;
  const route = buildInboundRouteConfiguration({
    cluster: target.cluster,
    servicePort: target.servicePort,
    host: target.host,
    protocol: target.protocol,
  });
  return hcmFilter(
    connectionManager({
      statPrefix: statName(passthrough ? target.cluster : `inbound_${portListenerName(target.port!)}`),
      route,
      httpFilters: sidecarHttpFilters(options.rbac),
      http2: target.protocol === 'grpc' || target.protocol === 'http2',
      inbound: true,
    }),
  );
}

export function buildVirtualInbound(options: VirtualInboundOptions): envoy.Listener {
  const chains: envoy.FilterChain[] = [
    create(envoy.FilterChainSchema, {
      name: INBOUND_BLACKHOLE_CHAIN,
      filterChainMatch: { destinationPort: INBOUND_CAPTURE_PORT },
      filters: [tcpProxyFilter(BLACKHOLE_CLUSTER)],
    }),
    ...buildChains(
      {
        name: (kind) => (kind === 'http' ? INBOUND_CATCH_ALL_HTTP_CHAIN : VIRTUAL_INBOUND),
        cluster: INBOUND_PASSTHROUGH_CLUSTER,
        servicePort: 0,
        host: '',
        protocol: 'auto',
      },
      options.passthroughMode,
      options,
    ),
  ];
  const byPort = [...options.ports].sort((a, b) => a.targetPort - b.targetPort);
  for (const p of byPort) {
    const target: ChainTarget = {
      name: () => portListenerName(p.targetPort),
      port: p.targetPort,
      cluster: inboundClusterName(p.targetPort),
      servicePort: p.servicePort,
      host: p.host,
      protocol: p.protocol,
    };
    chains.push(...buildChains(target, p.mode, options));
  }
  return create(envoy.ListenerSchema, {
    name: VIRTUAL_INBOUND,
    address: {
      address: {
        case: 'socketAddress',
        value: { address: WILDCARD, portSpecifier: { case: 'portValue', value: INBOUND_CAPTURE_PORT } },
      },
    },
    filterChains: chains,
    listenerFilters: inboundListenerFilters(chains),
    listenerFiltersTimeout: durationFromMs(0),
    continueOnListenerFiltersTimeout: true,
    trafficDirection: envoy.TrafficDirection.INBOUND,
  });
}

/**
 * Original destination first; the TLS inspector only where a chain matches on TLS and the HTTP
 * inspector only where one matches on a plaintext HTTP ALPN, each disabled on the other ports.
 */
function inboundListenerFilters(chains: readonly envoy.FilterChain[]): envoy.ListenerFilter[] {
  const need = new Map<number, { tls: boolean; http: boolean }>();
  for (const chain of chains) {
    const m = chain.filterChainMatch;
    const port = m?.destinationPort ?? 0;
    const entry = need.get(port) ?? { tls: false, http: false };
    entry.tls ||= m?.transportProtocol === 'tls';
    entry.http ||= (m?.applicationProtocols ?? []).some((a) => a === 'http/1.1' || a === 'h2c');
    need.set(port, entry);
  }
  const filters = [originalDstFilter()];
  const ports = [...need.entries()];
  if (ports.some(([, n]) => n.tls)) {
    const byDefault = need.get(0)?.tls ?? false;
    // On by default: list where it is off. Off by default: disable it everywhere but where it is on.
    const listed = ports.filter(([p, n]) => p !== 0 && n.tls !== byDefault).map(([p]) => p);
    const disabled =
      listed.length === 0
        ? undefined
        : byDefault
          ? destinationPorts(listed)
          : create(envoy.ListenerFilterChainMatchPredicateSchema, {
              rule: { case: 'notMatch', value: destinationPorts(listed) },
            });
    filters.push(tlsInspectorFilter(disabled));
  }
  if (ports.some(([, n]) => n.http)) {
    const off = ports.filter(([, n]) => !n.http).map(([p]) => p);
    filters.push(httpInspectorFilter(off.length ? destinationPorts(off) : undefined));
  }
  return filters;
}
