// Per-cluster load as an xDS client reports it over LRS (gRFC A27; Envoy
// config.endpoint.v3.ClusterStats): per locality and endpoint, calls issued, succeeded, errored
// and in progress since the last report, plus the latency of finished calls as a named load
// metric (`latency_ms`: total milliseconds over calls finished). Counting is a few additions per
// call; a report is built from the counts and resets them.

import { performance } from 'node:perf_hooks';
import { create } from '@bufbuild/protobuf';
import { DurationSchema } from '@bufbuild/protobuf/wkt';
import {
  type ClusterStats,
  ClusterStats_DroppedRequestsSchema,
  ClusterStatsSchema,
  type EndpointLoadMetricStats,
  EndpointLoadMetricStatsSchema,
  UpstreamEndpointStatsSchema,
  type UpstreamLocalityStats,
  UpstreamLocalityStatsSchema,
} from '@shoal/xds/plugins';
import type { MeshEndpoint } from '../lb/endpoint.js';

/** The load metric Shoal reports latency under (sum of milliseconds over finished calls). */
export const LATENCY_METRIC = 'latency_ms';

/** One endpoint's counts since the last report. */
export class EndpointLoad {
  issued = 0;
  succeeded = 0;
  errored = 0;
  inProgress = 0;
  latencyMs = 0;
  finished = 0;

  constructor(readonly endpoint: MeshEndpoint) {}

  start(): void {
    this.issued++;
    this.inProgress++;
  }

  end(ok: boolean, ms: number): void {
    this.inProgress--;
    if (ok) this.succeeded++;
    else this.errored++;
    this.latencyMs += ms;
    this.finished++;
  }
}

export class ClusterLoad {
  private readonly endpoints = new Map<string, EndpointLoad>();
  private readonly droppedValue = new Map<string, number>();
  private since = performance.now();

  constructor(
    readonly cluster: string,
    /** The EDS service name (istiod: equal to the cluster's). */
    readonly serviceName: string,
  ) {}

  endpoint(ep: MeshEndpoint): EndpointLoad {
    let load = this.endpoints.get(ep.key);
    if (load === undefined || load.endpoint !== ep) {
      const fresh = new EndpointLoad(ep);
      if (load !== undefined) fresh.inProgress = load.inProgress; // a new snapshot's endpoint object
      this.endpoints.set(ep.key, (load = fresh));
    }
    return load;
  }

  dropped(category: string): void {
    this.droppedValue.set(category, (this.droppedValue.get(category) ?? 0) + 1);
  }

  /** The report since the last one (undefined when nothing happened), and a new interval begins. */
  report(withEndpoints: boolean): ClusterStats | undefined {
    const now = performance.now();
    const ms = now - this.since;
    this.since = now;
    const localities = new Map<string, UpstreamLocalityStats>();
    let any = false;
    for (const [key, load] of this.endpoints) {
      if (load.issued === 0 && load.inProgress === 0 && load.finished === 0) continue;
      any = true;
      const l = load.endpoint.locality;
      const lkey = `${l.region}/${l.zone}/${l.subZone}`;
      let stats = localities.get(lkey);
      if (stats === undefined) {
        stats = create(UpstreamLocalityStatsSchema, {
          locality: { region: l.region, zone: l.zone, subZone: l.subZone },
          priority: load.endpoint.priority,
        });
        localities.set(lkey, stats);
      }
      stats.totalIssuedRequests += BigInt(load.issued);
      stats.totalSuccessfulRequests += BigInt(load.succeeded);
      stats.totalErrorRequests += BigInt(load.errored);
      stats.totalRequestsInProgress += BigInt(load.inProgress);
      const latency = create(EndpointLoadMetricStatsSchema, {
        metricName: LATENCY_METRIC,
        numRequestsFinishedWithMetric: BigInt(load.finished),
        totalMetricValue: load.latencyMs,
      });
      addMetric(stats.loadMetricStats, latency);
      if (withEndpoints) {
        const colon = key.lastIndexOf(':');
        stats.upstreamEndpointStats.push(
          create(UpstreamEndpointStatsSchema, {
            address: {
              address: {
                case: 'socketAddress',
                value: {
                  address: key.slice(0, colon).replace(/^\[|\]$/g, ''),
                  portSpecifier: { case: 'portValue', value: Number(key.slice(colon + 1)) },
                },
              },
            },
            totalIssuedRequests: BigInt(load.issued),
            totalSuccessfulRequests: BigInt(load.succeeded),
            totalErrorRequests: BigInt(load.errored),
            totalRequestsInProgress: BigInt(load.inProgress),
            loadMetricStats: load.finished > 0 ? [latency] : [],
          }),
        );
      }
      load.issued = 0;
      load.succeeded = 0;
      load.errored = 0;
      load.latencyMs = 0;
      load.finished = 0;
      if (load.inProgress === 0) this.endpoints.delete(key);
    }
    const dropped = [...this.droppedValue].map(([category, n]) =>
      create(ClusterStats_DroppedRequestsSchema, { category, droppedCount: BigInt(n) }),
    );
    this.droppedValue.clear();
    if (!any && dropped.length === 0) return undefined;
    return create(ClusterStatsSchema, {
      clusterName: this.cluster,
      clusterServiceName: this.serviceName,
      upstreamLocalityStats: [...localities.values()],
      totalDroppedRequests: dropped.reduce((a, d) => a + d.droppedCount, 0n),
      droppedRequests: dropped,
      loadReportInterval: create(DurationSchema, {
        seconds: BigInt(Math.floor(ms / 1000)),
        nanos: Math.round((ms % 1000) * 1e6),
      }),
    });
  }
}

function addMetric(list: EndpointLoadMetricStats[], m: EndpointLoadMetricStats): void {
  const same = list.find((x) => x.metricName === m.metricName);
  if (same === undefined) {
    if (m.numRequestsFinishedWithMetric > 0n) list.push({ ...m });
    return;
  }
  same.numRequestsFinishedWithMetric += m.numRequestsFinishedWithMetric;
  same.totalMetricValue += m.totalMetricValue;
}
