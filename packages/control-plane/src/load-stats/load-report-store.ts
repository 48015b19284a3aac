// Load reports kept for the traffic graph: each report's counts per (reporting node, cluster,
// endpoint) with the interval it covers, pruned after an hour; a view over a window sums them
// and divides by the time the reports in the window cover (so a client that just connected is not
// diluted over the whole window). Envoy config.endpoint.v3.ClusterStats in; LoadReportView out.

import { workloadFromNode } from '@shoal/telemetry/plugins';
import type { envoy } from '@shoal/xds';
import type { TrafficEdge, TrafficNode, TrafficReport, TrafficSource } from '../traffic/traffic-source.js';
import type { ProxyNode } from '../xds-server/proxy-node.js';
import type {
  LoadReportDestination,
  LoadReportEdge,
  LoadReportEndpoint,
  LoadReportLoad,
  LoadReportSource,
  LoadReportView,
} from './load-report-types.js';

/** The load metric Shoal's clients report latency under (total ms over finished calls). */
const LATENCY_METRIC = 'latency_ms';
const KEEP_MS = 3600_000;

interface Sample {
  at: number;
  seconds: number;
  issued: number;
  succeeded: number;
  errored: number;
  inProgress: number;
  latencyMs: number;
  finished: number;
}

interface Series {
  source: LoadReportSource;
  destination: LoadReportDestination;
  address: string;
  locality: string;
  samples: Sample[];
}

/** istiod's `outbound|port|subset|host`, else the cluster name as the service. */
function destinationOf(cluster: string): LoadReportDestination {
  const parts = cluster.split('|');
  if (parts.length === 4 && parts[0] === 'outbound') {
    const host = parts[3]!;
    const labels = host.split('.');
    return {
      cluster,
      service: host,
      namespace: labels.length >= 2 && host.endsWith('.svc.cluster.local') ? labels[1]! : '',
      subset: parts[2]!,
      port: Number(parts[1]),
    };
  }
  return { cluster, service: cluster, namespace: '', subset: '', port: 0 };
}

function sourceOf(node: ProxyNode): LoadReportSource {
  const w = workloadFromNode(node);
  return { node: node.id, workload: w.workload, namespace: w.namespace, app: w.app, version: w.version };
}

const n = (v: bigint | number) => Number(v);

function addressOf(a: envoy.Address | undefined): string {
  const s = a?.address.case === 'socketAddress' ? a.address.value : undefined;
  if (!s) return '';
  const port = s.portSpecifier.case === 'portValue' ? s.portSpecifier.value : 0;
  return s.address.includes(':') ? `[${s.address}]:${port}` : `${s.address}:${port}`;
}

function latencyOf(metrics: readonly envoy.EndpointLoadMetricStats[]): { ms: number; finished: number } {
  const m = metrics.find((x) => x.metricName === LATENCY_METRIC);
  return m
    ? { ms: m.totalMetricValue, finished: n(m.numRequestsFinishedWithMetric) }
    : { ms: 0, finished: 0 };
}

/** The window the console's graph (TrafficSource) is built over. */
const GRAPH_WINDOW_SECONDS = 10;

export class LoadReportStore implements TrafficSource {
  private readonly series = new Map<string, Series>();
  private readonly dropped = new Map<string, { at: number; count: number }[]>();
  private readonly reporters = new Map<number, { node: ProxyNode; lastReport: number }>();

  /** A reporter's stream opened (`stream` identifies it) or reported. */
  reporting(stream: number, node: ProxyNode, now = Date.now()): void {
    this.reporters.set(stream, { node, lastReport: now });
  }

  /** A reporter's stream ended. */
  closed(stream: number): void {
    this.reporters.delete(stream);
  }

  /** Adds one LoadStatsRequest's cluster stats from `node`. */
  add(node: ProxyNode, stats: readonly envoy.ClusterStats[], now = Date.now()): void {
    const source = sourceOf(node);
    for (const c of stats) {
      const d = c.loadReportInterval;
      const seconds = d ? n(d.seconds) + d.nanos / 1e9 : 0;
      const destination = destinationOf(c.clusterName);
      if (c.totalDroppedRequests > 0n) {
        const key = `${node.id}\u0000${c.clusterName}`;
        const list = this.dropped.get(key) ?? [];
        list.push({ at: now, count: n(c.totalDroppedRequests) });
        this.dropped.set(key, list);
      }
      for (const l of c.upstreamLocalityStats) {
        const locality = `${l.locality?.region ?? ''}/${l.locality?.zone ?? ''}/${l.locality?.subZone ?? ''}`;
        const rows =
          l.upstreamEndpointStats.length > 0
            ? l.upstreamEndpointStats.map((e) => ({ address: addressOf(e.address), s: e }))
            : [{ address: '', s: l }];
        for (const { address, s } of rows) {
          const key = `${node.id}\u0000${c.clusterName}\u0000${locality}\u0000${address}`;
          let series = this.series.get(key);
          if (series === undefined) {
            series = { source, destination, address, locality, samples: [] };
            this.series.set(key, series);
          }
          const latency = latencyOf(s.loadMetricStats);
          series.samples.push({
            at: now,
            seconds,
            issued: n(s.totalIssuedRequests),
            succeeded: n(s.totalSuccessfulRequests),
            errored: n(s.totalErrorRequests),
            inProgress: n(s.totalRequestsInProgress),
            latencyMs: latency.ms,
            finished: latency.finished,
          });
        }
      }
    }
    this.prune(now);
  }

  /** The edges over the last `windowSeconds`. */
  view(windowSeconds: number, now = Date.now()): LoadReportView {
    const since = now - windowSeconds * 1000;
    const edges = new Map<
      string,
      { source: LoadReportSource; destination: LoadReportDestination; endpoints: Weighed[]; dropped: number }
    >();
    for (const s of this.series.values()) {
      const samples = s.samples.filter((x) => x.at > since);
      if (samples.length === 0) continue;
      const key = `${s.source.node}\u0000${s.destination.cluster}`;
      let edge = edges.get(key);
      if (edge === undefined) {
        const dropped = (this.dropped.get(key) ?? [])
          .filter((x) => x.at > since)
          .reduce((a, x) => a + x.count, 0);
        edge = { source: s.source, destination: s.destination, endpoints: [], dropped };
        edges.set(key, edge);
      }
      const totals = load(samples);
      edge.endpoints.push({
        endpoint: { address: s.address, locality: s.locality, ...loadOf(totals) },
        totals,
      });
    }
    const out: LoadReportEdge[] = [...edges.values()].map((e) => ({
      source: e.source,
      destination: e.destination,
      dropped: e.dropped,
      ...combine(e.endpoints),
      endpoints: e.endpoints.map((x) => x.endpoint).sort((a, b) => b.requestsPerSecond - a.requestsPerSecond),
    }));
    out.sort((a, b) => b.requestsPerSecond - a.requestsPerSecond);
    return {
      window: windowSeconds,
      generatedAt: new Date(now).toISOString(),
      edges: out,
      reporters: [...this.reporters.values()].map((r) => ({
        node: r.node.id,
        userAgent: r.node.userAgent,
        lastReport: new Date(r.lastReport).toISOString(),
      })),
    };
  }

  /** The console's graph: source app:version → destination service:subset, over the last 10 s. */
  report(now = Date.now()): TrafficReport {
    const view = this.view(GRAPH_WINDOW_SECONDS, now);
    const nodes = new Map<string, TrafficNode>();
    const node = (n: TrafficNode) => {
      if (!nodes.has(n.id)) nodes.set(n.id, n);
      return n.id;
    };
    let requests = 0;
    let errors = 0;
    const edges: TrafficEdge[] = view.edges.map((e) => {
      const app = e.source.app || e.source.workload;
      const source = node({
        id: e.source.version ? `${app}:${e.source.version}` : app,
        app,
        ...(e.source.version && { version: e.source.version }),
        ...(e.source.namespace && { namespace: e.source.namespace }),
        kind: 'workload',
      });
      const service = e.destination.service.split('.', 1)[0] ?? e.destination.service;
      const destination = node({
        id: e.destination.subset ? `${service}:${e.destination.subset}` : service,
        app: service,
        ...(e.destination.subset && { version: e.destination.subset }),
        ...(e.destination.namespace && { namespace: e.destination.namespace }),
        kind: 'service',
      });
      requests += e.requestsPerSecond;
      errors += e.errorsPerSecond;
      return {
        source,
        destination,
        requestsPerSecond: e.requestsPerSecond,
        errorsPerSecond: e.errorsPerSecond,
        errorRate: e.requestsPerSecond > 0 ? e.errorsPerSecond / e.requestsPerSecond : 0,
        ...(e.latencyMs !== null && { p50Ms: e.latencyMs }),
      };
    });
    return {
      source: 'lrs',
      windowSeconds: GRAPH_WINDOW_SECONDS,
      at: view.generatedAt,
      nodes: [...nodes.values()],
      edges,
      totals: { requestsPerSecond: requests, errorRate: requests > 0 ? errors / requests : 0 },
    };
  }

  private prune(now: number): void {
    const oldest = now - KEEP_MS;
    for (const [key, s] of this.series) {
      while (s.samples.length > 0 && s.samples[0]!.at <= oldest) s.samples.shift();
      if (s.samples.length === 0) this.series.delete(key);
    }
    for (const [key, list] of this.dropped) {
      while (list.length > 0 && list[0]!.at <= oldest) list.shift();
      if (list.length === 0) this.dropped.delete(key);
    }
  }
}

/** Counts summed over reports or endpoints, and the latency mean's parts. */
interface Totals {
  issued: number;
  succeeded: number;
  errored: number;
  inProgress: number;
  latencyTotal: number;
  finished: number;
  requestsPerSecond: number;
  errorsPerSecond: number;
}

/** An endpoint's load with the totals it was made of (to combine endpoints into an edge). */
interface Weighed {
  endpoint: LoadReportEndpoint;
  totals: Totals;
}

function empty(): Totals {
  return {
    issued: 0,
    succeeded: 0,
    errored: 0,
    inProgress: 0,
    latencyTotal: 0,
    finished: 0,
    requestsPerSecond: 0,
    errorsPerSecond: 0,
  };
}

function add(into: Totals, x: Omit<Totals, 'requestsPerSecond' | 'errorsPerSecond'>): void {
  into.issued += x.issued;
  into.succeeded += x.succeeded;
  into.errored += x.errored;
  into.inProgress += x.inProgress;
  into.latencyTotal += x.latencyTotal;
  into.finished += x.finished;
}

function loadOf(t: Totals): LoadReportLoad {
  return {
    requestsPerSecond: t.requestsPerSecond,
    errorsPerSecond: t.errorsPerSecond,
    errorRate: t.succeeded + t.errored > 0 ? t.errored / (t.succeeded + t.errored) : 0,
    latencyMs: t.finished > 0 ? t.latencyTotal / t.finished : null,
    issued: t.issued,
    succeeded: t.succeeded,
    errored: t.errored,
    inProgress: t.inProgress,
  };
}

/** One series' samples: counts summed, rates over the time the reports cover, in flight at the last. */
function load(samples: readonly Sample[]): Totals {
  const t = empty();
  let seconds = 0;
  for (const x of samples) {
    add(t, { ...x, inProgress: 0, latencyTotal: x.latencyMs });
    seconds += x.seconds;
  }
  t.inProgress = samples.at(-1)!.inProgress;
  const per = seconds > 0 ? 1 / seconds : 0;
  t.requestsPerSecond = t.issued * per;
  t.errorsPerSecond = t.errored * per;
  return t;
}

/** An edge's load: its endpoints' counts and rates added up. */
function combine(endpoints: readonly Weighed[]): LoadReportLoad {
  const t = empty();
  for (const { totals } of endpoints) {
    add(t, totals);
    t.requestsPerSecond += totals.requestsPerSecond;
    t.errorsPerSecond += totals.errorsPerSecond;
  }
  return loadOf(t);
}
