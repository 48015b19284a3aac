// The metric names, units and histogram buckets Shoal exports: one module, so the contract is
// written once. gRFC A66 (per-call gRPC instruments), gRFC A78 (XdsClient instruments), Istio's
// standard metrics (istio_* with Envoy's default histogram buckets), istiod's pilot_* metrics for
// the control plane, and the mesh's own resilience counters.

/** gRFC A66 latency buckets, in seconds. */
export const A66_LATENCY_BUCKETS = [
  0, 0.00001, 0.00005, 0.0001, 0.0003, 0.0006, 0.0008, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01,
  0.013, 0.016, 0.02, 0.025, 0.03, 0.04, 0.05, 0.065, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.65,
  0.8, 1, 2, 5, 10, 20, 50, 100,
];

/** gRFC A66 size buckets, in bytes. */
export const A66_SIZE_BUCKETS = [
  0, 1024, 2048, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456, 1073741824,
  4294967296,
];

/** gRFC A66 instruments: name, unit and description. */
export const A66 = {
  clientAttemptStarted: {
    name: 'grpc.client.attempt.started',
    unit: '{attempt}',
    description: 'Number of client call attempts started.',
  },
  clientAttemptDuration: {
    name: 'grpc.client.attempt.duration',
    unit: 's',
    description: 'End-to-end time taken to complete a client call attempt.',
  },
  clientAttemptSentSize: {
    name: 'grpc.client.attempt.sent_total_compressed_message_size',
    unit: 'By',
    description: 'Compressed message bytes sent per client call attempt.',
  },
  clientAttemptRcvdSize: {
    name: 'grpc.client.attempt.rcvd_total_compressed_message_size',
    unit: 'By',
    description: 'Compressed message bytes received per call attempt.',
  },
  clientCallDuration: {
    name: 'grpc.client.call.duration',
    unit: 's',
    description: 'Time taken by the gRPC library to complete a client call.',
  },
  serverCallStarted: {
    name: 'grpc.server.call.started',
    unit: '{call}',
    description: 'Number of server calls started.',
  },
  serverCallDuration: {
    name: 'grpc.server.call.duration',
    unit: 's',
    description: 'End-to-end time taken to complete a call from server transport perspective.',
  },
  serverCallSentSize: {
    name: 'grpc.server.call.sent_total_compressed_message_size',
    unit: 'By',
    description: 'Compressed message bytes sent per server call.',
  },
  serverCallRcvdSize: {
    name: 'grpc.server.call.rcvd_total_compressed_message_size',
    unit: 'By',
    description: 'Compressed message bytes received per server call.',
  },
} as const;

/** gRFC A66 attribute names. */
export const GRPC_METHOD = 'grpc.method';
export const GRPC_TARGET = 'grpc.target';
export const GRPC_STATUS = 'grpc.status';

/** gRFC A78 XdsClient instruments and their attribute names. */
export const A78 = {
  connected: {
    name: 'grpc.xds_client.connected',
    unit: '{bool}',
    description: 'Whether or not the xDS client currently has a working ADS stream to the xDS server.',
  },
  serverFailure: {
    name: 'grpc.xds_client.server_failure',
    unit: '{failure}',
    description: 'A counter of xDS servers going from healthy to unhealthy.',
  },
  resourceUpdatesValid: {
    name: 'grpc.xds_client.resource_updates_valid',
    unit: '{resource}',
    description: 'A counter of resources received that were considered valid.',
  },
  resourceUpdatesInvalid: {
    name: 'grpc.xds_client.resource_updates_invalid',
    unit: '{resource}',
    description: 'A counter of resources received that were considered invalid.',
  },
  resources: {
    name: 'grpc.xds_client.resources',
    unit: '{resource}',
    description: 'Number of xDS resources.',
  },
} as const;
export const XDS_SERVER = 'grpc.xds.server';
export const XDS_AUTHORITY = 'grpc.xds.authority';
export const XDS_RESOURCE_TYPE = 'grpc.xds.resource_type';
export const XDS_CACHE_STATE = 'grpc.xds.cache_state';

/** The mesh's own resilience counters (no gRFC names them). */
export const MESH = {
  ejections: {
    name: 'shoal.mesh.outlier_ejections',
    unit: '{ejection}',
    description: 'Endpoints ejected by outlier detection (gRFC A50), by cluster and reason.',
  },
  circuitBreakerRejections: {
    name: 'shoal.mesh.circuit_breaker_rejections',
    unit: '{call}',
    description: 'Calls refused by a cluster circuit breaker (gRFC A32).',
  },
  retries: {
    name: 'shoal.mesh.retries',
    unit: '{attempt}',
    description: 'Retry attempts made by the mesh (gRFC A44), by cluster and the status retried.',
  },
  faults: {
    name: 'shoal.mesh.fault_injections',
    unit: '{call}',
    description: 'Calls delayed or aborted by fault injection (gRFC A33), by cluster and kind.',
  },
} as const;

/** Envoy's default histogram buckets, which Istio's istio_* histograms use. */
export const ENVOY_DEFAULT_BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

/** Istio's standard request metrics (names as Prometheus shows them). */
export const ISTIO = {
  requestsTotal: {
    name: 'istio_requests_total',
    description: 'Requests handled, by reporter, source, destination and response.',
  },
  requestDuration: {
    name: 'istio_request_duration_milliseconds',
    description: 'Duration of requests in milliseconds.',
  },
  requestBytes: { name: 'istio_request_bytes', description: 'Request body sizes in bytes.' },
  responseBytes: { name: 'istio_response_bytes', description: 'Response body sizes in bytes.' },
} as const;

/** Istio's standard label names, in the order Istio lists them. */
export const ISTIO_LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_canonical_service',
  'source_canonical_revision',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_cluster',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;
/** A label of Istio's standard metrics. */
export type IstioLabel = (typeof ISTIO_LABELS)[number];

/** istiod's control-plane metrics (pilot/pkg/xds/monitoring.go), with its bucket boundaries. */
export const PILOT = {
  xds: { name: 'pilot_xds', description: 'Number of endpoints connected to this pilot using XDS.' },
  pushes: { name: 'pilot_xds_pushes', description: 'Pilot build and send errors for lds, rds, cds and eds.' },
  pushTime: {
    name: 'pilot_xds_push_time',
    description: 'Total time in seconds Pilot takes to push lds, rds, cds and eds.',
    buckets: [0.01, 0.1, 1, 3, 5, 10, 20, 30],
  },
  convergence: {
    name: 'pilot_proxy_convergence_time',
    description: 'Delay in seconds between config change and a proxy receiving all required configuration.',
    buckets: [0.1, 0.5, 1, 3, 5, 10, 20, 30],
  },
  totalRejects: {
    name: 'pilot_total_xds_rejects',
    description: 'Total number of XDS responses from pilot rejected by proxy.',
  },
  /** pilot_xds_cds_reject, pilot_xds_eds_reject, pilot_xds_lds_reject, pilot_xds_rds_reject. */
  reject: (type: string) => ({
    name: `pilot_xds_${type}_reject`,
    description: `Pilot rejected ${type.toUpperCase()} configs.`,
  }),
  configEvents: { name: 'pilot_k8s_cfg_events', description: 'Events from k8s config.' },
  services: { name: 'pilot_services', description: 'Total services known to pilot.' },
} as const;

/** istiod's CA metrics (security/pkg/server/ca/monitoring.go), for the CA to record. */
export const CITADEL = {
  csrCount: {
    name: 'citadel_server_csr_count',
    description: 'The number of CSRs received by Citadel server.',
  },
  authenticationFailures: {
    name: 'citadel_server_authentication_failure_count',
    description: 'The number of authentication failures.',
  },
  csrParsingErrors: {
    name: 'citadel_server_csr_parsing_err_count',
    description: 'The number of errors occurred when parsing the CSR.',
  },
  idExtractionErrors: {
    name: 'citadel_server_id_extraction_err_count',
    description: 'The number of errors occurred when extracting the ID from CSR.',
  },
  csrSignErrors: {
    name: 'citadel_server_csr_sign_err_count',
    description: 'The number of errors occurred when signing the CSR.',
  },
  successCertIssuance: {
    name: 'citadel_server_success_cert_issuance_count',
    description: 'The number of certificates issuances that have succeeded.',
  },
  rootCertExpiry: {
    name: 'citadel_server_root_cert_expiry_timestamp',
    description: 'The unix timestamp, in seconds, when Citadel root cert will expire.',
  },
  certChainExpiry: {
    name: 'citadel_server_cert_chain_expiry_timestamp',
    description: 'The unix timestamp, in seconds, when Citadel cert chain will expire.',
  },
} as const;
