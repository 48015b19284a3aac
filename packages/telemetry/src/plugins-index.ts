// Public API of the `@shoal/telemetry/plugins` entry point: what libraries that report into a
// Telemetry need (the mesh, the control plane); an application needs only `@shoal/telemetry`.

/** The admin port's node metadata key, which the control plane reads for Prometheus discovery. */
export { ADMIN_PORT_METADATA_KEY } from './admin-endpoint.js';
/** The client side: an interceptor and A66 call tracer per target. */
export { ClientTelemetry } from './client-telemetry.js';
/** The mesh's resilience counters. */
export type { MeshMetrics } from './mesh-metrics.js';
/** Istio's metadata exchange headers, in Envoy's encoding. */
export { decodePeerMetadata, encodePeerMetadata, type PeerWorkload } from './peer-metadata.js';
/** Reads Prometheus' text format (a process's /stats/prometheus). */
export { type Sample, samples as parsePrometheusText } from './prometheus-text.js';
/** The server side: a call tracer factory and an interceptor that makes spans current. */
export { type PrincipalOf, ServerTelemetry } from './server-telemetry.js';
/** Trace context propagation (W3C and B3). */
export { Tracing, tracePropagator } from './tracing.js';
/** Who this process is in Istio's labels, from its xDS node. */
export { type NodeLike, type WorkloadIdentity, workloadFromNode } from './workload-identity.js';
