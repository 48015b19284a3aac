// The LRS client (gRFC A27; Envoy service.load_stats.v3.LoadReportingService): one stream to the
// xDS server a cluster's `lrs_server: self` names, the client's Node on the first request, then a
// report of every cluster's load at the interval the server asks for (of the clusters it names,
// or all with send_all_clusters; per endpoint with report_endpoint_granularity). Reconnects after
// a second when the stream ends. Clusters register the first time they take a call.

import { create } from '@bufbuild/protobuf';
import { createClient } from '@shoal/rpc/client';
import type { XdsServerConfig } from '@shoal/xds/client';
import {
  type CertificateProviders,
  type ClusterStats,
  createServerTransport,
  LoadReportingService,
  type LoadStatsRequest,
  LoadStatsRequestSchema,
  type LoadStatsResponse,
  type Node,
} from '@shoal/xds/plugins';
import { ClusterLoad } from './load-store.js';

export interface LoadReporterOptions {
  /** The xDS server to report to (the bootstrap's, for `lrs_server: self`). */
  readonly server: XdsServerConfig;
  /** The bootstrap's certificate providers, for a server whose channel_creds name one (mTLS). */
  readonly certificateProviders?: CertificateProviders;
  /** The Node this client sends on its ADS stream. */
  readonly node: Node;
  /** Wait before reconnecting after the stream ends (default 1000 ms). */
  readonly retryMs?: number;
}

/** Requests as the stream reads them: pushed by the reporter, read by the rpc client. */
class RequestFeed implements AsyncIterable<LoadStatsRequest> {
  private readonly items: LoadStatsRequest[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(r: LoadStatsRequest): void {
    this.items.push(r);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<LoadStatsRequest> {
    for (;;) {
      const next = this.items.shift();
      if (next !== undefined) yield next;
      else if (this.ended) return;
      else await new Promise<void>((r) => (this.wake = r));
    }
  }
}

export class LoadReporter {
  private readonly clusters = new Map<string, ClusterLoad>();
  private readonly options: LoadReporterOptions;
  private running = false;
  private closed = false;
  private feed: RequestFeed | undefined;
  private timer: NodeJS.Timeout | undefined;
  private abort: AbortController | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** What the server asked for (LoadStatsResponse). */
  private sendAll = false;
  private names = new Set<string>();
  private perEndpoint = false;

  constructor(options: LoadReporterOptions) {
    this.options = options;
  }

  /** The load of one cluster; reporting starts with the first cluster. */
  cluster(name: string, serviceName = name): ClusterLoad {
    let load = this.clusters.get(name);
    if (load === undefined) {
      load = new ClusterLoad(name, serviceName);
      this.clusters.set(name, load);
    }
    if (!this.running && !this.closed) {
      this.running = true;
      this.connect();
    }
    return load;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    this.feed?.end();
    this.abort?.abort();
  }

  private connect(): void {
    const { certificateProviders } = this.options;
    const transport = createServerTransport(this.options.server, () => {}, {
      ...(certificateProviders && { certificateProviders }),
    });
    const client = createClient(LoadReportingService, transport);
    const feed = new RequestFeed();
    const abort = new AbortController();
    this.feed = feed;
    this.abort = abort;
    feed.push(create(LoadStatsRequestSchema, { node: this.options.node }));
    const run = async () => {
      try {
        for await (const response of client.streamLoadStats(feed, { signal: abort.signal }))
          this.configure(response, feed);
      } catch {
        // the stream ended: reconnect below
      } finally {
        clearInterval(this.timer);
        feed.end();
        transport.close();
      }
      if (this.closed) return;
      this.retry = setTimeout(() => this.connect(), this.options.retryMs ?? 1000);
      this.retry.unref();
    };
    void run();
  }

  private configure(response: LoadStatsResponse, feed: RequestFeed): void {
    this.sendAll = response.sendAllClusters;
    this.names = new Set(response.clusters);
    this.perEndpoint = response.reportEndpointGranularity;
    const d = response.loadReportingInterval;
    const ms = d ? Number(d.seconds) * 1000 + d.nanos / 1e6 : 10_000;
    clearInterval(this.timer);
    this.timer = setInterval(() => feed.push(this.report()), Math.max(100, ms));
    this.timer.unref();
  }

  private report(): LoadStatsRequest {
    const stats: ClusterStats[] = [];
    for (const [name, load] of this.clusters) {
      if (!this.sendAll && !this.names.has(name)) continue;
      const s = load.report(this.perEndpoint);
      if (s) stats.push(s);
    }
    return create(LoadStatsRequestSchema, { clusterStats: stats });
  }
}
