// The shape of `GET /api/load-reports` (ADMIN-API.md, "Observability"): the mesh's edges as the
// clients' load reports (LRS) tell them, per endpoint, for `shoal top`; the console's graph reads
// the same reports through `GET /api/traffic` (LoadReportStore is its default TrafficSource).
// Written once, here, for the server and every reader.

/** Who made the calls: the reporting client's node. */
export interface LoadReportSource {
  /** The xDS node id. */
  readonly node: string;
  /** Istio's workload name (WORKLOAD_NAME, else app-version, else the instance). */
  readonly workload: string;
  readonly namespace: string;
  readonly app: string;
  readonly version: string;
}

/** Where the calls went: the service behind an istiod-style cluster `outbound|port|subset|host`. */
export interface LoadReportDestination {
  readonly cluster: string;
  /** The host, e.g. `greeter.default.svc.cluster.local` (the cluster name when it is not istiod-style). */
  readonly service: string;
  readonly namespace: string;
  readonly subset: string;
  readonly port: number;
}

/** Rates and latency over the window. `latencyMs` is the mean of finished calls, null when none. */
export interface LoadReportLoad {
  readonly requestsPerSecond: number;
  readonly errorsPerSecond: number;
  /** errored / (succeeded + errored), 0 when none finished. */
  readonly errorRate: number;
  readonly latencyMs: number | null;
  /** Calls in the window. */
  readonly issued: number;
  readonly succeeded: number;
  readonly errored: number;
  /** Calls in flight at the last report. */
  readonly inProgress: number;
}

/** Load reported for one endpoint of a destination. */
export interface LoadReportEndpoint extends LoadReportLoad {
  /** `ip:port`; empty when the reporter gives only locality totals. */
  readonly address: string;
  /** `region/zone/subzone`. */
  readonly locality: string;
}

/** One edge: calls from one source to one destination cluster. */
export interface LoadReportEdge extends LoadReportLoad {
  readonly source: LoadReportSource;
  readonly destination: LoadReportDestination;
  readonly endpoints: readonly LoadReportEndpoint[];
  /** Calls the client dropped by the cluster's drop_overloads, in the window. */
  readonly dropped: number;
}

/** One client streaming load reports (LRS) to the control plane. */
export interface LoadReportStream {
  readonly node: string;
  readonly userAgent: string;
  readonly lastReport: string;
}

/** The mesh's load from LRS reports over a recent window: streams, and edges from source to destination. */
export interface LoadReportView {
  /** Seconds the rates are over. */
  readonly window: number;
  readonly generatedAt: string;
  /** Busiest first. */
  readonly edges: readonly LoadReportEdge[];
  /** Every LRS stream open now, and when it last reported. */
  readonly reporters: readonly LoadReportStream[];
}
