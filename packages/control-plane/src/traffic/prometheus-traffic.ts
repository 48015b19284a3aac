// The traffic picture read from Prometheus (`shoal cp --prometheus URL`), as Kiali builds its
// versioned-app graph: Istio's standard metrics as the source side reports them
// (`istio_requests_total{reporter="source"}` for rates by response code and gRPC status,
// `istio_request_duration_milliseconds_bucket` through histogram_quantile for p50 and p99), over
// Kiali's default 1-minute rate window, through Prometheus's HTTP API (`GET /api/v1/query`).
// Errors follow Kiali: a gRPC status other than OK, else an HTTP code of 0 (no response) or 4xx/5xx.

import { Code } from '@shoal/rpc';
import type { TrafficEdge, TrafficNode, TrafficReport, TrafficSource } from './traffic-source.js';

export interface PrometheusTrafficOptions {
  /** Prometheus's base URL, e.g. `http://127.0.0.1:9090`. */
  url: string;
  /** The rate window, in seconds (default 60, Kiali's `[1m]`). */
  windowSeconds?: number;
  /** How long one query may take (default 5 s). */
  timeoutMs?: number;
  /** A report younger than this is answered again instead of asking Prometheus (default 1 s). */
  reuseMs?: number;
}

/** The labels an edge is grouped by (Kiali's graph query, with namespaces and the gRPC status). */
const EDGE_LABELS = [
  'source_workload',
  'source_workload_namespace',
  'source_app',
  'source_version',
  'destination_service_name',
  'destination_service_namespace',
  'destination_version',
];

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Istio writes `unknown` where a label has no value. */
const known = (v: string | undefined) => (v && v !== 'unknown' ? v : undefined);

function isError(m: Record<string, string>): boolean {
  const grpc = known(m.grpc_response_status);
  if (grpc !== undefined) return grpc !== '0';
  const http = Number(m.response_code ?? '0');
  return http === 0 || http >= 400;
}

function statusName(m: Record<string, string>): string {
  const grpc = known(m.grpc_response_status);
  if (grpc !== undefined) return Code[Number(grpc)] ?? `grpc ${grpc}`;
  return `HTTP ${m.response_code ?? '0'}`;
}

/** A node as the other sources name it: `app:version`, or `app` when the version is not known. */
function node(
  app: string,
  version: string | undefined,
  namespace: string | undefined,
  kind: TrafficNode['kind'],
): TrafficNode {
  return {
    id: version ? `${app}:${version}` : app,
    app,
    ...(version && { version }),
    ...(namespace && { namespace }),
    kind,
  };
}

function sourceNode(m: Record<string, string>): TrafficNode {
  const app = known(m.source_app) ?? known(m.source_workload) ?? 'unknown';
  return node(
    app,
    known(m.source_version),
    known(m.source_workload_namespace),
    app === 'unknown' ? 'unknown' : 'workload',
  );
}

function destinationNode(m: Record<string, string>): TrafficNode {
  const app = known(m.destination_service_name) ?? 'unknown';
  return node(app, known(m.destination_version), known(m.destination_service_namespace), 'service');
}

const edgeKey = (m: Record<string, string>) => `${sourceNode(m).id}\u0000${destinationNode(m).id}`;

/** A number Prometheus answered, or undefined for NaN (no calls in the window) and ±Inf. */
function finite(s: Sample | undefined): number | undefined {
  const v = s ? Number(s.value[1]) : Number.NaN;
  return Number.isFinite(v) ? v : undefined;
}

export class PrometheusTraffic implements TrafficSource {
  readonly #base: string;
  readonly #window: number;
  readonly #timeoutMs: number;
  readonly #reuseMs: number;
  #last: { at: number; report: TrafficReport } | undefined;
  #pending: Promise<TrafficReport> | undefined;

  constructor(options: PrometheusTrafficOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`Prometheus URL ${JSON.stringify(options.url)}: expected http:// or https://`);
    this.#base = url.href.replace(/\/+$/, '');
    this.#window = options.windowSeconds ?? 60;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#reuseMs = options.reuseMs ?? 1000;
  }

  /** The queries this source asks, in order: requests, p50, p99, mesh-wide p99. */
  queries(): string[] {
    const w = `[${this.#window}s]`;
    const by = EDGE_LABELS.join(', ');
    const latency = (q: number, labels: string) =>
      `histogram_quantile(${q}, sum(rate(istio_request_duration_milliseconds_bucket{reporter="source"}${w})) by (${labels}))`;
    return [
      `sum(rate(istio_requests_total{reporter="source"}${w})) by (${by}, response_code, grpc_response_status)`,
      latency(0.5, `le, ${by}`),
      latency(0.99, `le, ${by}`),
      latency(0.99, 'le'),
    ];
  }

  /** Resolves to the graph, or to an empty one whose `error` says why Prometheus did not answer. */
  report(): Promise<TrafficReport> {
    const now = Date.now();
    if (this.#last && now - this.#last.at < this.#reuseMs) return Promise.resolve(this.#last.report);
    this.#pending ??= this.#read().then((report) => {
      this.#last = { at: Date.now(), report };
      this.#pending = undefined;
      return report;
    });
    return this.#pending;
  }

  async #read(): Promise<TrafficReport> {
    const at = new Date().toISOString();
    try {
      const [requests, p50, p99, meshP99] = await Promise.all(this.queries().map((q) => this.#query(q)));
      return { ...this.#graph(requests!, p50!, p99!, meshP99![0]), at };
    } catch (err) {
      return {
        source: 'prometheus',
        windowSeconds: this.#window,
        at,
        nodes: [],
        edges: [],
        totals: { requestsPerSecond: 0, errorRate: 0 },
        error: `Prometheus at ${this.#base}: ${(err as Error).message}`,
      };
    }
  }

  async #query(query: string): Promise<Sample[]> {
    const res = await fetch(`${this.#base}/api/v1/query?query=${encodeURIComponent(query)}`, {
      signal: AbortSignal.timeout(this.#timeoutMs),
    }).catch((err: Error) => {
      const cause = (err.cause as Error | undefined)?.message;
      throw new Error(cause ? `${err.message} (${cause})` : err.message);
    });
    const text = await res.text();
    let body: { status?: string; error?: string; data?: { resultType?: string; result?: Sample[] } };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`HTTP ${res.status}: not a Prometheus API answer: ${text.slice(0, 120)}`);
    }
    if (body.status !== 'success') throw new Error(`HTTP ${res.status}: ${body.error ?? text.slice(0, 200)}`);
    if (body.data?.resultType !== 'vector')
      throw new Error(`expected a vector, got ${body.data?.resultType}`);
    return body.data.result ?? [];
  }

  #graph(
    requests: Sample[],
    p50: Sample[],
    p99: Sample[],
    meshP99: Sample | undefined,
  ): Omit<TrafficReport, 'at'> {
    const nodes = new Map<string, TrafficNode>();
    const edges = new Map<string, TrafficEdge>();
    let total = 0;
    let errors = 0;
    for (const s of requests) {
      const rps = finite(s) ?? 0;
      if (rps <= 0) continue;
      const source = sourceNode(s.metric);
      const destination = destinationNode(s.metric);
      if (!nodes.has(source.id)) nodes.set(source.id, source);
      if (!nodes.has(destination.id)) nodes.set(destination.id, destination);
      const key = edgeKey(s.metric);
      let edge = edges.get(key);
      if (!edge) {
        edge = {
          source: source.id,
          destination: destination.id,
          requestsPerSecond: 0,
          errorsPerSecond: 0,
          errorRate: 0,
          byStatus: {},
        };
        edges.set(key, edge);
      }
      const failed = isError(s.metric) ? rps : 0;
      edge.requestsPerSecond += rps;
      edge.errorsPerSecond += failed;
      // Calls in the window by status, as the LRS and demo sources count them.
      const status = statusName(s.metric);
      edge.byStatus![status] = (edge.byStatus![status] ?? 0) + Math.round(rps * this.#window);
      total += rps;
      errors += failed;
    }
    const latency = (list: Sample[], field: 'p50Ms' | 'p99Ms') => {
      for (const s of list) {
        const edge = edges.get(edgeKey(s.metric));
        const v = finite(s);
        if (edge && v !== undefined) edge[field] = v;
      }
    };
    latency(p50, 'p50Ms');
    latency(p99, 'p99Ms');
    for (const e of edges.values()) e.errorRate = e.errorsPerSecond / e.requestsPerSecond;
    const p99Ms = finite(meshP99);
    return {
      source: 'prometheus',
      windowSeconds: this.#window,
      nodes: [...nodes.values()],
      edges: [...edges.values()].sort((a, b) => b.requestsPerSecond - a.requestsPerSecond),
      totals: {
        requestsPerSecond: total,
        errorRate: total > 0 ? errors / total : 0,
        ...(p99Ms !== undefined && { p99Ms }),
      },
    };
  }
}
