// Public API of @shoal/control-plane: what an application or tool that runs or feeds a control
// plane needs. The admin API's answer types are `@shoal/control-plane/admin-api`; the backends a
// control plane can be given (a registry, a traffic source) are `@shoal/control-plane/plugins`.
// Everything else is internal.

/** A throwaway local etcd cluster (Debian's etcd-server) for demos and tests (`--store etcd://`). */
export { etcdAvailable, LocalEtcdCluster } from './backends/local-etcd.js';
// Workload identity: the CA (Istio's CA API), its tokens and what it issued.
/** The mesh's CA (Istio's CA API): signs workload certificates for SPIFFE identities, and its options. */
export {
  CertificateAuthority,
  type CertificateAuthorityOptions,
  type IssuedCertificate,
} from './ca/certificate-authority.js';
/** The certificates the CA issued (GET /api/security/certificates), one record each. */
export { IssuedCertificates, type IssuedRecord } from './ca/issued-certificates.js';
/** The bearer tokens workloads present to the CA and the admin API, one record each. */
export { type TokenRecord, TokenStore } from './ca/token-store.js';
// Config: Istio's and Dubbo's object model (each kind's spec is `SpecByKind[kind]`), validation
// and analysis as `shoal validate` does them, and the issues they report.
export {
  type AnalysisResult,
  type AnalyzeOptions,
  analyzeConfig,
  analyzeWithLive,
  type ValidationReport,
  validateConfig,
} from './config/analyze.js';
export {
  type AnyConfigObject,
  CONFIG_KINDS,
  type ConfigKind,
  type ConfigObject,
  type ObjectMeta,
  type SpecByKind,
} from './config/config-object.js';
export { type ConfigIssue, formatIssue, type Severity } from './config/issues.js';
export { type LoadedConfig, type LoadOptions, loadConfigText } from './config/load-config.js';
// The control plane: config store and registry → translator → snapshot → ADS server, the CA, LRS
// and the admin API with the console, on the ports its options give.
export { ControlPlane } from './control-plane.js';
export type {
  ControlPlaneAddresses,
  ControlPlaneLogger,
  ControlPlaneOptions,
  LogLevel,
} from './control-plane-options.js';
/** The data dir (`--data-dir`, SHOAL_DATA_DIR): what survives a restart. */
export { resolveDataDir } from './state/data-dir.js';
/** The traffic picture from a Prometheus that scrapes Istio's standard metrics (Kiali's queries). */
export { PrometheusTraffic, type PrometheusTrafficOptions } from './traffic/prometheus-traffic.js';
