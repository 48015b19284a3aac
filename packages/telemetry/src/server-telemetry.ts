// The server side of a call, as telemetry sees it: a ServerCallTracer per call (gRFC A66's server
// instruments; methods the server does not have are `other`), Istio's reporter="destination"
// metrics with the caller's labels from `x-envoy-peer-metadata`, this workload's own metadata in
// the response headers when the request carried the exchange (as Envoy answers), and with tracing
// on a server span whose context is current while the handler runs (the interceptor).

import { performance } from 'node:perf_hooks';
import type { Context } from '@opentelemetry/api';
import type { Code, HandlerContext, Interceptor } from '@shoal/rpc';
import type { ServerCallTracer, ServerCallTracerFactory } from '@shoal/rpc/plugins';
import { type GrpcServerInstruments, MethodSeries, methodName } from './grpc-metrics.js';
import { destinationReport, type IstioInstruments, type PeerIds } from './istio-metrics.js';
import {
  encodePeerMetadata,
  PEER_METADATA_HEADER,
  PEER_METADATA_ID_HEADER,
  type PeerMetadataCache,
  type PeerWorkload,
} from './peer-metadata.js';
import type { Tracing } from './tracing.js';
import type { WorkloadIdentity } from './workload-identity.js';

export interface ServerTelemetryShared {
  readonly grpc: GrpcServerInstruments;
  readonly istio: IstioInstruments;
  readonly peers: PeerMetadataCache;
  readonly peerIds: PeerIds;
  readonly tracing: Tracing | undefined;
}

/** Reads the caller's certificate identity, once the rpc layer exposes it (issue 11). */
export type PrincipalOf = (context: HandlerContext) => string | undefined;

/**
 * A server's telemetry: the A66 call tracer factory, Istio's server metrics and an interceptor that makes
 * each call's span current.
 */
export class ServerTelemetry {
  private readonly series = new Map<string, MethodSeries>();
  private readonly other: MethodSeries;
  private readonly mxValue: string;
  /** The span of each call in flight, for the interceptor that makes it current. */
  private readonly spans = new WeakMap<HandlerContext, Context>();

  constructor(
    readonly shared: ServerTelemetryShared,
    readonly workload: WorkloadIdentity,
    readonly principalOf: PrincipalOf = () => undefined,
  ) {
    this.mxValue = encodePeerMetadata(workload);
    this.other = new MethodSeries(shared.istio.table, 'other', undefined);
  }

  /** For ServerOptions.callTracer. */
  callTracer(): ServerCallTracerFactory {
    return (path, context, registered) => new ServerCallRecord(this, path, context, registered);
  }

  /** Makes the call's span current while the handler runs; first in the server's chain. */
  interceptor(): Interceptor {
    return (next) => (request) => {
      const tracing = this.shared.tracing;
      const span = request.context && this.spans.get(request.context);
      return tracing && span ? tracing.run(span, () => next(request)) : next(request);
    };
  }

  seriesOf(path: string, registered: boolean): MethodSeries {
    if (!registered) return this.other;
    let series = this.series.get(path);
    if (series === undefined) {
      series = new MethodSeries(this.shared.istio.table, methodName(path), undefined);
      this.series.set(path, series);
    }
    return series;
  }

  /** Answers the metadata exchange and returns the caller, when the request carried it. */
  exchange(context: HandlerContext): PeerWorkload | undefined {
    const header = context.requestHeader;
    const mx = header.getString(PEER_METADATA_HEADER);
    if (header.has(PEER_METADATA_ID_HEADER))
      context.responseHeader.set(PEER_METADATA_ID_HEADER, this.workload.nodeId);
    if (mx === undefined) return undefined;
    context.responseHeader.set(PEER_METADATA_HEADER, this.mxValue);
    return this.shared.peers.get(mx);
  }

  trackSpan(context: HandlerContext, span: Context): void {
    this.spans.set(context, span);
  }
}

class ServerCallRecord implements ServerCallTracer {
  private readonly start = performance.now();
  private readonly series: MethodSeries;
  private readonly peer: PeerWorkload | undefined;
  private readonly span: { end(code: Code): void } | undefined;
  private rcvd = 0;
  private rcvdMessages = 0;
  private sent = 0;
  private sentMessages = 0;

  constructor(
    private readonly t: ServerTelemetry,
    path: string,
    private readonly context: HandlerContext,
    registered: boolean,
  ) {
    this.series = t.seriesOf(path, registered);
    t.shared.grpc.callStarted.add(this.series.base);
    this.peer = t.exchange(context);
    const tracing = t.shared.tracing;
    if (tracing) {
      const span = tracing.startServer(registered ? methodName(path) : 'other', context.requestHeader);
      t.trackSpan(context, span.context);
      this.span = span;
    }
  }

  onMessageReceived(bytes: number): void {
    this.rcvd += bytes;
    this.rcvdMessages++;
  }

  onMessageSent(bytes: number): void {
    this.sent += bytes;
    this.sentMessages++;
  }

  onEnd(code: Code): void {
    const ms = performance.now() - this.start;
    const { grpc, istio, peerIds } = this.t.shared;
    const attrs = this.series.status(code);
    grpc.call.record(attrs, ms / 1000, this.rcvd, this.sent);
    const principal = this.t.principalOf(this.context);
    const key = `dst|${peerIds.of(this.peer)}|${principal ?? ''}|${code}`;
    const series = istio.table.series(key, () =>
      destinationReport(
        this.t.workload,
        this.peer,
        { principal },
        {
          code,
          responded: true,
          flags: '-',
        },
      ),
    );
    istio.record(series, ms, this.rcvd + 5 * this.rcvdMessages, this.sent + 5 * this.sentMessages);
    this.span?.end(code);
  }
}
