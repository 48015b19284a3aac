// Internal, for tests only. What istiod sends the sidecar of Bookinfo's productpage-v1 (namespace
// default, pod IP 10.0.0.10, service port 9080 named `http`), with
// samples/bookinfo/networking/destination-rule-all.yaml and virtual-service-reviews-80-20.yaml
// applied, no PeerAuthentication (PERMISSIVE), no AuthorizationPolicy, mesh defaults
// (outboundTrafficPolicy ALLOW_ANY, inboundTrafficPolicy PASSTHROUGH, iptables REDIRECT).
// Written in our own words as the structure only (names, types, filter chains, filter order).
// Sources: istio/istio at 86c9f01f, pilot/pkg/networking/core: listener_builder.go
// (buildVirtualOutboundListener, blackholeFilterChain, buildHTTPConnectionManager's filter order),
// listener.go (buildListenerFromEntry, plaintextHTTPALPNs), listener_inbound.go (inbound chains,
// populateListenerFilters), filterchain_options.go (PERMISSIVE matches), httproute.go (route config
// per port, generateVirtualHostDomains, buildCatchAllVirtualHost), cluster_builder.go (inbound,
// passthrough and blackhole clusters); and the sidecar config dump istioctl's authz tests use
// (istioctl/pkg/authz/testdata/configdump.yaml, an httpbin sidecar), whose listeners have the
// same shapes.

/** Filters istiod inserts that exist only in Istio's build of Envoy (istio/proxy). */
export const ISTIO_PROXY_ONLY_FILTERS = [
  'istio.metadata_exchange',
  'istio.alpn',
  'istio.stats',
  'istio_authn',
];

export interface ExpectedChain {
  name?: string;
  /** `dst=PORT`, the transport protocol and `alpn=a,b`, space separated; `*` matches everything. */
  match: string;
  /** Terminates mutual TLS. */
  tls?: boolean;
  /** Network filters, in order. */
  filters: string[];
  /** The HttpConnectionManager's route (RDS name, or `inline:NAME`) and HTTP filters, in order. */
  http?: { route: string; filters: string[] };
  /** Listener.default_filter_chain. */
  isDefault?: boolean;
}

export interface ExpectedListener {
  name: string;
  address: string;
  direction: 'OUTBOUND' | 'INBOUND';
  useOriginalDst?: boolean;
  bindToPort?: boolean;
  listenerFilters: string[];
  chains: ExpectedChain[];
}

const HCM = 'envoy.filters.network.http_connection_manager';
const TCP = 'envoy.filters.network.tcp_proxy';
const OUTBOUND_HTTP_FILTERS = [
  'istio.metadata_exchange',
  'envoy.filters.http.grpc_stats',
  'istio.alpn',
  'envoy.filters.http.fault',
  'envoy.filters.http.cors',
  'istio.stats',
  'envoy.filters.http.router',
];
// Inbound: no ALPN filter; RBAC would come after metadata exchange (no policy here).
const INBOUND_HTTP_FILTERS = [
  'istio.metadata_exchange',
  'envoy.filters.http.grpc_stats',
  'envoy.filters.http.fault',
  'envoy.filters.http.cors',
  'istio.stats',
  'envoy.filters.http.router',
];
const MTLS_HTTP_ALPN = 'alpn=istio-http/1.0,istio-http/1.1,istio-h2';

export const ISTIOD_LISTENERS: ExpectedListener[] = [
  {
    name: '0.0.0.0_9080',
    address: '0.0.0.0:9080',
    direction: 'OUTBOUND',
    bindToPort: false,
    listenerFilters: ['envoy.filters.listener.http_inspector'],
    chains: [
      {
        match: 'raw_buffer alpn=http/1.1,h2c',
        filters: [HCM],
        http: { route: '9080', filters: OUTBOUND_HTTP_FILTERS },
      },
      { name: 'PassthroughFilterChain', match: '*', filters: ['istio.stats', TCP], isDefault: true },
    ],
  },
  {
    name: 'virtualInbound',
    address: '0.0.0.0:15006',
    direction: 'INBOUND',
    listenerFilters: [
      'envoy.filters.listener.original_dst',
      'envoy.filters.listener.tls_inspector',
      'envoy.filters.listener.http_inspector',
    ],
    chains: [
      {
        name: 'virtualInbound-blackhole',
        match: 'dst=15006',
        filters: ['istio.metadata_exchange', 'istio.stats', TCP],
      },
      // Passthrough chains for ports no service declares: PERMISSIVE's five (inboundPermissiveFilterChainMatchWithMxcOptions).
      {
        name: 'virtualInbound-catchall-http',
        match: `tls ${MTLS_HTTP_ALPN}`,
        tls: true,
        filters: ['istio.metadata_exchange', HCM],
        http: { route: 'inline:InboundPassthroughCluster', filters: INBOUND_HTTP_FILTERS },
      },
      {
        name: 'virtualInbound-catchall-http',
        match: 'raw_buffer alpn=http/1.1,h2c',
        filters: ['istio.metadata_exchange', HCM],
        http: { route: 'inline:InboundPassthroughCluster', filters: INBOUND_HTTP_FILTERS },
      },
      {
        name: 'virtualInbound',
        match: 'tls alpn=istio-peer-exchange,istio',
        tls: true,
        filters: ['istio.metadata_exchange', 'istio.stats', TCP],
      },
      {
        name: 'virtualInbound',
        match: 'raw_buffer',
        filters: ['istio.metadata_exchange', 'istio.stats', TCP],
      },
      { name: 'virtualInbound', match: 'tls', filters: ['istio.metadata_exchange', 'istio.stats', TCP] },
      // The workload's port 9080, HTTP, PERMISSIVE (inboundPermissiveHTTPFilterChainMatchWithMxcOptions).
      {
        name: '0.0.0.0_9080',
        match: 'dst=9080 tls alpn=istio,istio-peer-exchange,istio-http/1.0,istio-http/1.1,istio-h2',
        tls: true,
        filters: ['istio.metadata_exchange', HCM],
        http: { route: 'inline:inbound|9080||', filters: INBOUND_HTTP_FILTERS },
      },
      {
        name: '0.0.0.0_9080',
        match: 'dst=9080 raw_buffer',
        filters: ['istio.metadata_exchange', HCM],
        http: { route: 'inline:inbound|9080||', filters: INBOUND_HTTP_FILTERS },
      },
    ],
  },
  {
    name: 'virtualOutbound',
    address: '0.0.0.0:15001',
    direction: 'OUTBOUND',
    useOriginalDst: true,
    listenerFilters: [],
    chains: [
      { name: 'virtualOutbound-blackhole', match: 'dst=15001', filters: ['istio.stats', TCP] },
      { name: 'virtualOutbound-catchall-tcp', match: '*', filters: ['istio.stats', TCP] },
    ],
  },
];

const fqdn = (name: string) => `${name}.default.svc.cluster.local`;
/** Domains for a service in the sidecar's own namespace (no VIPs here: Shoal's services have none). */
const domains = (name: string) => [
  fqdn(name),
  `${fqdn(name)}.`,
  name,
  `${name}.default.svc`,
  `${name}.default`,
];

export const ISTIOD_ROUTE_CONFIGS = [
  {
    name: '9080',
    ignorePortInHostMatching: true,
    virtualHosts: [
      ...['details', 'productpage', 'ratings', 'reviews'].map((s) => ({
        name: `${fqdn(s)}:9080`,
        domains: domains(s),
      })),
      { name: 'allow_any', domains: ['*'] },
    ],
  },
];

const SUBSETS: Record<string, string[]> = {
  details: ['v1', 'v2'],
  productpage: ['v1'],
  ratings: ['v1', 'v2', 'v2-mysql', 'v2-mysql-vm'],
  reviews: ['v1', 'v2', 'v3'],
};

export const ISTIOD_CLUSTERS: { name: string; type: 'EDS' | 'ORIGINAL_DST' | 'STATIC' }[] = [
  ...Object.entries(SUBSETS).flatMap(([s, subsets]) =>
    ['', ...subsets].map((subset) => ({ name: `outbound|9080|${subset}|${fqdn(s)}`, type: 'EDS' as const })),
  ),
  { name: 'inbound|9080||', type: 'ORIGINAL_DST' },
  { name: 'PassthroughCluster', type: 'ORIGINAL_DST' },
  { name: 'InboundPassthroughCluster', type: 'ORIGINAL_DST' },
  { name: 'BlackHoleCluster', type: 'STATIC' },
];
