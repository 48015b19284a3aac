// The traffic picture the admin API serves at `GET /api/traffic` and streams as the `traffic` event:
// a graph of workloads by app and version, whose edges carry the request rate, the error rate and
// latency percentiles over a recent window (Kiali's versioned-app graph, built from Istio's
// standard metrics: source_workload → destination_app/destination_version).
// Where the numbers come from is a TrafficSource: load reports (LRS) sent to the control plane, a
// Prometheus query, or a process that watches its own calls (the demo's consumer).

/** An app (or app:version) in the traffic graph. */
export interface TrafficNode {
  /** `app` or `app:version`; unique in the report. */
  id: string;
  app: string;
  version?: string;
  namespace?: string;
  /** A workload that sends calls, a service version that receives them, or a caller not known. */
  kind: 'workload' | 'service' | 'unknown';
}

/** Calls from one node to another: rate, errors and latency. */
export interface TrafficEdge {
  /** Node ids. */
  source: string;
  destination: string;
  requestsPerSecond: number;
  errorsPerSecond: number;
  /** errorsPerSecond / requestsPerSecond, 0 when there were no requests. */
  errorRate: number;
  /** Latency of the calls of this edge, in ms, when the source measures it. */
  p50Ms?: number;
  p99Ms?: number;
  /** Calls in the window by gRPC status name (`OK`, `UNAVAILABLE`, …), when known. */
  byStatus?: Record<string, number>;
}

/** The traffic graph over a recent window, and what measured it. */
export interface TrafficReport {
  /** What measured it: `lrs`, `prometheus`, `demo`, … */
  source: string;
  windowSeconds: number;
  /** When the report was made (ISO 8601). */
  at: string;
  nodes: TrafficNode[];
  edges: TrafficEdge[];
  /** Mesh-wide figures over the same window. */
  totals: { requestsPerSecond: number; errorRate: number; p99Ms?: number };
  /** Why the graph is empty: the source could not be read (Prometheus down, a bad answer). */
  error?: string;
}

/** Where the console's traffic graph comes from (ControlPlaneOptions.traffic); by default, load reports. */
export interface TrafficSource {
  /** The current picture; cheap enough to call once a second (a remote source answers later). */
  report(): TrafficReport | Promise<TrafficReport>;
}

/** The answer when no source is configured. */
export function noTraffic(): TrafficReport {
  return {
    source: 'none',
    windowSeconds: 0,
    at: new Date().toISOString(),
    nodes: [],
    edges: [],
    totals: { requestsPerSecond: 0, errorRate: 0 },
  };
}
