// Public API of the `@shoal/xds/plugins` entry point: what libraries built on the xDS client need
// (the mesh, the control plane, telemetry); an application needs only `@shoal/xds`. It loads no
// more than `@shoal/xds/client` does, so a data plane's client side can import it.

// Listener names a client and a server ask for (gRFC A27, A36).
export { clientListenerResourceName, serverListenerResourceName } from './bootstrap.js';
/** The ADS reconnect backoff (gRFC A6's shape, capped at 4 s), for tools that must retry the same way. */
export { Backoff, type BackoffOptions, DEFAULT_MAX_BACKOFF_MS } from './client/backoff.js';
// Hooks of the client: its metrics (gRFC A78), resource types as plug-ins, and the transport to an
// xDS server from its bootstrap entry (credentials included), for LRS too.
export type {
  XdsCacheState,
  XdsClientGauges,
  XdsClientMetrics,
  XdsResourceCount,
  XdsServerConnection,
} from './client/client-metrics.js';
export type { XdsDecodeResult, XdsResourceType } from './client/resource-type.js';
export { createServerTransport, type XdsTransportFactory } from './client/server-transport.js';
// Dubbo's arguments[N] conditions: the pseudo-header routes match them with (control plane and mesh).
export { dubboArgumentHeader, parseDubboArgumentHeader } from './dubbo-arguments.js';
/** Envoy's Node (config.core.v3.Node): who an xDS client says it is. */
export type { Node } from './gen/envoy/config/core/v3/base_pb.js';
/** Envoy's load report messages (LRS), for a client that reports load (gRFC A27). */
export {
  type ClusterStats,
  ClusterStats_DroppedRequestsSchema,
  ClusterStatsSchema,
  type EndpointLoadMetricStats,
  EndpointLoadMetricStatsSchema,
  UpstreamEndpointStatsSchema,
  type UpstreamLocalityStats,
  UpstreamLocalityStatsSchema,
} from './gen/envoy/config/endpoint/v3/load_report_pb.js';
/** Envoy's load reporting service (envoy.service.load_stats.v3.LoadReportingService). */
export {
  LoadReportingService,
  type LoadStatsRequest,
  LoadStatsRequestSchema,
  type LoadStatsResponse,
} from './gen/envoy/service/load_stats/v3/lrs_pb.js';
// Decoders and validators into plain models, and the models' parts.
export { decodeCluster, type XdsCircuitBreakers } from './resources/cluster.js';
export {
  decodeClusterLoadAssignment,
  type XdsEndpoint,
  type XdsHealthStatus,
} from './resources/cluster-load-assignment.js';
export { type DecodeResult, Problems } from './resources/decode-result.js';
export type { FaultFilterConfig, XdsFraction } from './resources/fault-filter.js';
export type { XdsCidr, XdsFilterChain } from './resources/filter-chain.js';
export type { XdsHeaderMatcher } from './resources/header-matcher.js';
/** Route and virtual host header operations (Envoy's request/response headers to add and remove). */
export type {
  XdsHeaderAddition,
  XdsHeaderAppend,
  XdsHeaderMutations,
  XdsHeaderRules,
} from './resources/header-mutations.js';
// HTTP filter types as plug-ins (gRFC A39): each parses its config; router, fault and RBAC built in.
export {
  createDefaultHttpFilterRegistry,
  faultFilterType,
  HttpFilterRegistry,
  type HttpFilterType,
  rbacFilterType,
  routerFilterType,
  type XdsFilterOverride,
  type XdsHttpFilter,
} from './resources/http-filters.js';
export { decodeListener, type XdsClientListener, type XdsServerListener } from './resources/listener.js';
export type { XdsOutlierDetection } from './resources/outlier-detection.js';
export type {
  RbacFilterConfig,
  XdsRbacPermission,
  XdsRbacPrincipal,
} from './resources/rbac-filter.js';
// Matchers as the data plane applies them: RE2 regexes and string matchers.
export { compileRe2, re2Substitution } from './resources/regex.js';
export type { XdsRetryPolicy } from './resources/retry-policy.js';
export type {
  XdsClusterWeight,
  XdsForwardingAction,
  XdsHashPolicy,
  XdsMirrorPolicy,
} from './resources/route-action.js';
export {
  decodeRouteConfiguration,
  type HttpDecodeOptions,
  referencedClusters,
  type XdsRoute,
  type XdsVirtualHost,
} from './resources/route-configuration.js';
export type { XdsRouteMatch } from './resources/route-match.js';
export { stringMatcherPredicate, type XdsStringMatcher } from './resources/string-matcher.js';
export type { XdsTlsContext } from './resources/tls-context.js';
// Workload identity (gRFC A29): certificate providers from the bootstrap, Istio's CA API client,
// SPIFFE IDs and X.509 helpers (the mesh's mTLS, the control plane's CA).
/** Istio's CA API client: a CSR for a workload, answered with its certificate chain. */
export { type CertificateRequest, createCertificate } from './security/ca-client.js';
/** A source of certificates and keys (gRFC A29's certificate provider plug-in) and what it gives. */
export {
  type CertificateMaterial,
  type CertificateProvider,
  certificateMaterial,
  ProviderBase,
} from './security/certificate-provider.js';
/** The bootstrap's certificate provider instances, and the registry of plug-ins that makes them. */
export {
  type CertificateProviderContext,
  type CertificateProviderFactory,
  CertificateProviderRegistry,
  CertificateProviders,
  type CertificateProvidersOptions,
  createDefaultCertificateProviderRegistry,
} from './security/certificate-providers.js';
/** gRFC A29's `file_watcher` plug-in: certificate files re-read as they change. */
export { FILE_WATCHER_PLUGIN, FileWatcherProvider } from './security/file-watcher-provider.js';
/** Shoal's `shoal_ca` plug-in: a workload certificate from the mesh CA, renewed before it expires. */
export {
  parseShoalCaConfig,
  SHOAL_CA_PLUGIN,
  type ShoalCaConfig,
  ShoalCaProvider,
} from './security/shoal-ca-provider.js';
/** A workload's key pair and its PEM encoding, for a CSR. */
export { createWorkloadKey, toPem, type WorkloadKey } from './security/workload-csr.js';
/** SPIFFE IDs and X.509 helpers: parse chains, read SANs, summarise a certificate. */
export {
  type CertificateSummary,
  loadX509,
  parsePemChain,
  parseSpiffeId,
  sanEntries,
  spiffeId,
  summarize,
  type WorkloadIdentity,
} from './security/x509.js';
// The type URL of any message, as a resource or an Any carries it, and those of the resources a
// sidecar's listeners embed or fetch (HttpConnectionManager, SDS Secret).
export { HTTP_CONNECTION_MANAGER_TYPE_URL, SECRET_TYPE_URL, typeUrlOf } from './type-urls.js';
