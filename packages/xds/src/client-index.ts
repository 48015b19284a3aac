// Public API of the `@shoal/xds/client` entry point: what a data-plane process needs to watch and
// decode xDS resources. A subset of the package index (same modules, so the same classes) without
// CSDS, the `envoy` message namespace and the all-messages registry, which a client only needs
// when it serves admin requests or builds resources; leaving them out loads fewer generated
// descriptors at start-up.

// xDS client: bootstrap (gRFC A27/A47).
export {
  clientListenerResourceName,
  type LoadBootstrapOptions,
  loadBootstrap,
  parseBootstrap,
  serverListenerResourceName,
  type XdsAuthority,
  type XdsBootstrap,
  type XdsCertificateProviderConfig,
  type XdsChannelCredentials,
  type XdsNodeConfig,
  type XdsNodeLocality,
  type XdsServerConfig,
} from './bootstrap.js';
// xDS client: ADS stream, watchers, cache, ACK/NACK, backoff (gRFC A27, A46, A47, A53, A57).
/** The ADS reconnect backoff (gRFC A6's shape, capped at 4 s), for tools that must retry the same way. */
export { Backoff, type BackoffOptions, DEFAULT_MAX_BACKOFF_MS } from './client/backoff.js';
/** What the client tells a metrics plug-in (gRFC A78). */
export type {
  XdsCacheState,
  XdsClientGauges,
  XdsClientMetrics,
  XdsResourceCount,
  XdsServerConnection,
} from './client/client-metrics.js';
export { createXdsClient } from './client/create-xds-client.js';
export {
  clusterLoadAssignmentResourceType,
  clusterResourceType,
  type DefaultResourceTypeOptions,
  listenerResourceType,
  registerDefaultResourceTypes,
  routeConfigurationResourceType,
} from './client/default-resource-types.js';
export type { XdsLogger, XdsLogLevel } from './client/log.js';
export type {
  XdsResourceSnapshot,
  XdsResourceStatus,
  XdsUpdateFailure,
  XdsWatcher,
} from './client/resource-cache.js';
export type { XdsDecodeResult, XdsResourceType } from './client/resource-type.js';
/** The transport to one xDS server from its bootstrap entry (credentials included): for LRS too. */
export { createServerTransport, type XdsTransportFactory } from './client/server-transport.js';
export type { XdsServerAddress } from './client/server-uri.js';
export { XdsClient, type XdsClientOptions } from './client/xds-client.js';
// Dubbo's arguments[N] conditions: the pseudo-header routes match them with (control plane and mesh).
export {
  DUBBO_ARGUMENT_HEADER_PREFIX,
  dubboArgumentHeader,
  parseDubboArgumentHeader,
} from './dubbo-arguments.js';
export type { Node } from './gen/envoy/config/core/v3/base_pb.js';
/** Envoy's load reporting messages and service (LRS), for a client that reports load (gRFC A27). */
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
export {
  LoadReportingService,
  type LoadStatsRequest,
  LoadStatsRequestSchema,
  type LoadStatsResponse,
} from './gen/envoy/service/load_stats/v3/lrs_pb.js';
// Localities, spelled as Envoy's JSON spells them (`subZone`), and as Istio writes them in text.
export { formatLocality, localityKey, parseLocality, type XdsLocality } from './locality.js';
// Self-registration: the Node metadata keys and what a process announces (both sides import it).
export { type Registration, RegistrationKeys } from './registration.js';
// Resource decoders and validators, into plain models.
export {
  decodeCluster,
  type XdsCircuitBreakers,
  type XdsCluster,
  type XdsClusterDiscovery,
} from './resources/cluster.js';
export {
  decodeClusterLoadAssignment,
  type XdsClusterLoadAssignment,
  type XdsEndpoint,
  type XdsHealthStatus,
  type XdsLocalityEndpoints,
} from './resources/cluster-load-assignment.js';
export { type DecodeResult, Problems } from './resources/decode-result.js';
export type { FaultFilterConfig, XdsFraction } from './resources/fault-filter.js';
export type { XdsCidr, XdsFilterChain, XdsFilterChainMatch } from './resources/filter-chain.js';
export type { XdsHeaderMatcher, XdsQueryParameterMatcher } from './resources/header-matcher.js';
export type {
  XdsHeaderAddition,
  XdsHeaderAppend,
  XdsHeaderMutations,
  XdsHeaderRules,
} from './resources/header-mutations.js';
export type { XdsHttpConnectionManager } from './resources/http-connection-manager.js';
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
export type { XdsLbPolicy } from './resources/lb-policy.js';
export {
  decodeListener,
  type XdsClientListener,
  type XdsListener,
  type XdsServerListener,
} from './resources/listener.js';
export type { XdsOutlierDetection } from './resources/outlier-detection.js';
export type {
  RbacFilterConfig,
  XdsRbacPermission,
  XdsRbacPolicy,
  XdsRbacPrincipal,
} from './resources/rbac-filter.js';
export { compileRe2, re2Substitution } from './resources/regex.js';
export type { XdsRetryPolicy } from './resources/retry-policy.js';
export type {
  XdsClusterWeight,
  XdsForwardingAction,
  XdsHashPolicy,
  XdsMirrorPolicy,
  XdsRouteAction,
} from './resources/route-action.js';
export {
  decodeRouteConfiguration,
  type HttpDecodeOptions,
  referencedClusters,
  type XdsRoute,
  type XdsRouteConfiguration,
  type XdsVirtualHost,
} from './resources/route-configuration.js';
export type { XdsRouteMatch } from './resources/route-match.js';
export type { XdsSocketAddress } from './resources/socket-address.js';
export { stringMatcherPredicate, type XdsStringMatcher } from './resources/string-matcher.js';
export type { XdsCertificateProvider, XdsTlsContext } from './resources/tls-context.js';
// Workload identity (gRFC A29): certificate providers from the bootstrap, Istio's CA API client,
// SPIFFE IDs and X.509 helpers.
export { type CertificateRequest, createCertificate } from './security/ca-client.js';
export {
  type CertificateMaterial,
  type CertificateProvider,
  certificateMaterial,
  ProviderBase,
} from './security/certificate-provider.js';
export {
  type CertificateProviderContext,
  type CertificateProviderFactory,
  CertificateProviderRegistry,
  CertificateProviders,
  type CertificateProvidersOptions,
  createDefaultCertificateProviderRegistry,
} from './security/certificate-providers.js';
export { FILE_WATCHER_PLUGIN, FileWatcherProvider } from './security/file-watcher-provider.js';
export {
  parseShoalCaConfig,
  SHOAL_CA_PLUGIN,
  type ShoalCaConfig,
  ShoalCaProvider,
} from './security/shoal-ca-provider.js';
export { createWorkloadKey, toPem, type WorkloadKey } from './security/workload-csr.js';
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
export * from './type-urls.js';
