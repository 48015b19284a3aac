// The Load Reporting Service (Envoy service.load_stats.v3.LoadReportingService, gRFC A27's LRS
// server side): a client opens a stream with its Node, is told to report every cluster at a fixed
// interval with per-endpoint detail, and each report goes into the traffic store.

import { create } from '@bufbuild/protobuf';
import { Code, type HandlerContext, RpcError, type Server } from '@shoal/rpc';
import { envoy } from '@shoal/xds';
import { proxyNodeOf } from '../xds-server/proxy-node.js';
import type { LoadReportStore } from './load-report-store.js';

export class LrsServer {
  private streams = 0;

  constructor(
    private readonly store: LoadReportStore,
    /** The load_reporting_interval clients are given. */
    private readonly intervalMs: number,
  ) {}

  register(server: Server): void {
    server.register(envoy.LoadReportingService, {
      streamLoadStats: (requests, ctx) => this.serve(requests, ctx),
    });
  }

  private async *serve(
    requests: AsyncIterable<envoy.LoadStatsRequest>,
    ctx: HandlerContext,
  ): AsyncGenerator<envoy.LoadStatsResponse> {
    const stream = ++this.streams;
    const it = requests[Symbol.asyncIterator]();
    try {
      const first = await it.next();
      if (first.done) return;
      const n = first.value.node;
      if (!n || n.id === '')
        throw new RpcError(
          Code.INVALID_ARGUMENT,
          'the first LoadStatsRequest of a stream must carry node.id',
        );
      const node = proxyNodeOf(n);
      this.store.reporting(stream, node);
      if (first.value.clusterStats.length > 0) this.store.add(node, first.value.clusterStats);
      const ms = this.intervalMs;
      yield create(envoy.LoadStatsResponseSchema, {
        sendAllClusters: true,
        reportEndpointGranularity: true,
        loadReportingInterval: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 },
      });
      for (;;) {
        if (ctx.signal.aborted) return;
        const next = await it.next();
        if (next.done) return;
        this.store.reporting(stream, node);
        this.store.add(node, next.value.clusterStats);
      }
    } finally {
      this.store.closed(stream);
    }
  }
}
