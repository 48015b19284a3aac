// Public API of @shoal/control-plane. Everything not exported here is internal.

// Admin API: JSON over HTTP (see ADMIN-API.md).
export { AdminGuard, type AdminGuardOptions, isLoopback } from './admin/admin-guard.js';
export {
  type AdminCall,
  type AdminHandler,
  AdminServer,
  type AdminServerOptions,
} from './admin/admin-server.js';
// The admin API's config diffs (apply previews, history).
export type { ObjectDiff } from './admin/config-diff.js';
// Observability: load reports (GET /api/load-reports, and the default traffic source), the CA's
// metric hooks, the Prometheus http_sd_config answer.
export type { HttpSdTarget } from './admin/observability-routes.js';
// Store backends (a plug-in point): where config and registrations live, chosen by `--store`.
export { registerRegistryBackends, registerStoreBackends } from './backends/builtin-backends.js';
/** A throwaway local etcd cluster (Debian's etcd-server) for demos and tests. */
export { etcdAvailable, LocalEtcdCluster } from './backends/local-etcd.js';
// Registry backends (a plug-in point): where services, endpoints and registrations come from, chosen by `--registry`.
export {
  type RegistryBackend,
  type RegistryBackendFactory,
  RegistryBackends,
  type RegistryContext,
  storeRegistry,
} from './backends/registry-backends.js';
export type {
  BackendContext,
  BackendLogger,
  CreateBackendOptions,
  Leadership,
  StoreBackend,
  StoreBackendFactory,
  StoreHealth,
} from './backends/store-backends.js';
export { StoreBackends } from './backends/store-backends.js';
// Workload identity: the CA (Istio's CA API), its tokens and what it issued.
export {
  CertificateAuthority,
  type CertificateAuthorityOptions,
  type IssuedCertificate,
} from './ca/certificate-authority.js';
export { IssuedCertificates, type IssuedRecord } from './ca/issued-certificates.js';
export { type TokenRecord, TokenStore } from './ca/token-store.js';
// Config: Istio object model, parsing and validation.
export {
  type AnalysisResult,
  type AnalyzeOptions,
  analyzeConfig,
  analyzeWithLive,
  type ValidationReport,
  validateConfig,
} from './config/analyze.js';
export {
  type ConfigDirectoryOptions,
  ConfigDirectorySource,
  type DirectoryLoadResult,
} from './config/config-dir.js';
export { CONFIG_FILE_ANNOTATION } from './config/config-file-annotation.js';
export {
  ConfigHistory,
  type ConfigHistoryOptions,
  type HistoryEntry,
  type RollbackPlan,
} from './config/config-history.js';
export {
  type AnyConfigObject,
  CONFIG_KINDS,
  type ConfigKind,
  type ConfigObject,
  DEFAULT_NAMESPACE,
  isConfigKind,
  KIND_VERSIONS,
  type KubernetesServiceSpec,
  normalizeKind,
  type ObjectMeta,
  objectKey,
  type SpecByKind,
} from './config/config-object.js';
export { ConfigRejectedError } from './config/config-rejected-error.js';
export { ConfigState, type ConfigStateOptions, type StoredEntry } from './config/config-state.js';
export type {
  ApplyOptions,
  ApplyResult,
  ChangeType,
  ConfigChange,
  ConfigEvent,
  ConfigListener,
  ConfigStore,
} from './config/config-store.js';
export {
  ConfigValidator,
  type DocumentOrigin,
  type SkippedDocument,
  type ValidatedDocument,
} from './config/config-validator.js';
export { checkDuration, parseDurationMs, parseDurationNanos } from './config/durations.js';
export {
  DEFAULT_DOMAIN_SUFFIX,
  hostMatches,
  kubernetesServiceHost,
  resolveShortName,
} from './config/hostnames.js';
export { type ConfigIssue, formatIssue, type Severity } from './config/issues.js';
export {
  type LoadedConfig,
  type LoadOptions,
  loadConfigText,
  validateDocuments,
} from './config/load-config.js';
export {
  CONFIG_FILE,
  MemoryConfigStore,
  type MemoryConfigStoreOptions,
} from './config/memory-config-store.js';
export type * from './config/networking-types.js';
export { type ParsedText, parseDocuments, type RawDocument } from './config/parse-documents.js';
export type * from './config/security-types.js';
// The control plane: store + registry → translator → snapshot cache → ADS server, and the admin API.
export {
  ControlPlane,
  type ControlPlaneAddresses,
  type ControlPlaneLogger,
  type ControlPlaneOptions,
  type LogLevel,
} from './control-plane.js';
// Dubbo's rules: names and kinds (the rules themselves are config objects like Istio's).
export {
  DUBBO_MESH_API_VERSION,
  DUBBO_RULE_API_VERSION,
  dubboRuleName,
  parseDubboRuleName,
} from './dubbo/rule-names.js';
export type * from './dubbo/rule-types.js';
export { LoadReportStore } from './load-stats/load-report-store.js';
export type {
  LoadReportDestination,
  LoadReportEdge,
  LoadReportEndpoint,
  LoadReportLoad,
  LoadReportSource,
  LoadReportStream,
  LoadReportView,
} from './load-stats/load-report-types.js';
export { LrsServer } from './load-stats/lrs-server.js';
// Registry: services and endpoints from config and self-registration; interface-level discovery.
export { INTERFACES_ANNOTATION, protocolOf } from './registry/config-services.js';
/** A source of services and endpoints besides config and registrations (Kubernetes, ZooKeeper). */
export type { DiscoverySource } from './registry/discovery-source.js';
export {
  type DisabledInstance,
  InstanceHealth,
  parseInstanceAddress,
} from './registry/instance-health.js';
export {
  MemoryRegistrations,
  type MemoryRegistrationsOptions,
  REGISTRATIONS_FILE,
} from './registry/memory-registrations.js';
export { InMemoryRegistry, type InMemoryRegistryOptions } from './registry/memory-registry.js';
export {
  type NodeInfo,
  type NodeRegistrationOptions,
  type NodeRegistrationResult,
  parseNodeRegistration,
} from './registry/node-registration.js';
export type { RegistrationChange, RegistrationStore } from './registry/registration-store.js';
export type {
  EndpointHealth,
  InterfaceTarget,
  RegisteredInstance,
  RegistrationLease,
  Registry,
  RegistryEndpoint,
  RegistryEvent,
  RegistryListener,
  RegistryService,
  RegistryServicePort,
  ServiceSource,
} from './registry/registry-types.js';
// Dubbo's ZooKeeper as a registry backend (`shoal cp --registry zookeeper://HOST:PORT`).
export {
  type ZooKeeperBackend,
  zookeeperBackend,
  zookeeperConnect,
} from './registry/zookeeper/zookeeper-backend.js';
export {
  type ZooKeeperLog,
  ZooKeeperSource,
  type ZooKeeperSourceOptions,
} from './registry/zookeeper/zookeeper-source.js';
// Snapshots: what one version of the config gives every client, checked for consistency, and the
// cache that holds the current one for the ADS server.
export { Snapshot, type SnapshotOptions } from './snapshot/snapshot.js';
export { SnapshotCache } from './snapshot/snapshot-cache.js';
export type { SnapshotInconsistency } from './snapshot/snapshot-consistency.js';
// State that survives restarts (also the `@shoal/control-plane/data-dir` entry, for the CLI).
export * from './state/data-dir-index.js';
export type { CitadelMetrics } from './telemetry/citadel-metrics.js';
/** The traffic picture from a Prometheus that scrapes Istio's standard metrics (Kiali's queries). */
export { PrometheusTraffic, type PrometheusTrafficOptions } from './traffic/prometheus-traffic.js';
// Traffic: the picture behind GET /api/traffic and the console's graph, and where it comes from.
export type { TrafficEdge, TrafficNode, TrafficReport, TrafficSource } from './traffic/traffic-source.js';
// Translator: Istio config + registry → Envoy LDS/RDS/CDS/EDS with istiod's resource names.
export type { BuiltResource } from './translate/built-resource.js';
export type {
  MeshEndpoint,
  MeshInput,
  MeshInterface,
  MeshService,
  MeshServicePort,
} from './translate/mesh-input.js';
export { buildMeshInput } from './translate/mesh-input-builder.js';
export {
  clusterName,
  INBOUND_LISTENER_PREFIX,
  parseClusterName,
  parseInboundListenerName,
} from './translate/resource-names.js';
export { type TranslationFailure, Translator } from './translate/translator.js';
// ADS server (SotW and delta), what it needs from a snapshot cache, and per-client status.
export { AdsServer, type AdsServerOptions, type ClientConfig } from './xds-server/ads-server.js';
export type { ClientStatus, NackInfo, SyncState, TypeStatus } from './xds-server/client-status.js';
export { type ProxyNode, proxyNodeOf } from './xds-server/proxy-node.js';
export type { LeaseHandler } from './xds-server/session-base.js';
export type {
  ResourceSet,
  ServedSnapshot,
  SnapshotSource,
  SnapshotWatcher,
} from './xds-server/snapshot-source.js';
export type { Subscription } from './xds-server/subscription.js';
export type { ShortType } from './xds-server/type-names.js';
export type { XdsServerMetrics } from './xds-server/xds-server-metrics.js';
