// Public API of @shoal/telemetry. Everything not exported here is internal.

/** The admin port: `/stats/prometheus` and SHOAL_ADMIN_PORT. */
export {
  ADMIN_PORT_ENV,
  ADMIN_PORT_METADATA_KEY,
  adminPortFromEnv,
  PROMETHEUS_PATH,
} from './admin-endpoint.js';
/** The client side: an interceptor and A66 call tracer per target. */
export { ClientTelemetry } from './client-telemetry.js';
/** Metric names, units and buckets (the contract other tools read). */
export {
  A66,
  A66_LATENCY_BUCKETS,
  A66_SIZE_BUCKETS,
  A78,
  CITADEL,
  ENVOY_DEFAULT_BUCKETS,
  ISTIO,
  ISTIO_LABELS,
  type IstioLabel,
  MESH,
  PILOT,
} from './instrument-names.js';
/** The mesh's resilience counters. */
export type { MeshMetrics } from './mesh-metrics.js';
/** Istio's metadata exchange headers, in Envoy's encoding. */
export {
  decodePeerMetadata,
  encodePeerMetadata,
  PEER_METADATA_HEADER,
  PEER_METADATA_ID_HEADER,
  type PeerWorkload,
} from './peer-metadata.js';
/** Reads Prometheus' text format (a process's /stats/prometheus). */
export { type Sample, samples as parsePrometheusText } from './prometheus-text.js';
/** The server side: a call tracer factory and an interceptor that makes spans current. */
export { type PrincipalOf, ServerTelemetry } from './server-telemetry.js';
/** A process's telemetry: its MeterProvider, tracer, Prometheus endpoint and the hooks it plugs in. */
export { createTelemetry, otlpTracesUrl, Telemetry, type TelemetryOptions } from './telemetry.js';
/** Trace context propagation (W3C and B3). */
export { Tracing, tracePropagator } from './tracing.js';
/** Who this process is in Istio's labels, from its xDS node. */
export { type NodeLike, type WorkloadIdentity, workloadFromNode } from './workload-identity.js';
