// Public API of @shoal/telemetry: what an application needs for its metrics and traces. What
// libraries that report into it need (the mesh, the control plane) is `@shoal/telemetry/plugins`.
// Everything else is internal.

/** The admin port: `/stats/prometheus` and SHOAL_ADMIN_PORT. */
export { ADMIN_PORT_ENV, adminPortFromEnv, PROMETHEUS_PATH } from './admin-endpoint.js';
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
/** Istio's metadata exchange headers. */
export { PEER_METADATA_HEADER, PEER_METADATA_ID_HEADER } from './peer-metadata.js';
/** A process's telemetry: its MeterProvider, tracer, Prometheus endpoint and the hooks it plugs in. */
export { createTelemetry, otlpTracesUrl, Telemetry, type TelemetryOptions } from './telemetry.js';
