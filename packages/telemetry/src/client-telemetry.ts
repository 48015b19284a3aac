// The client side of a call, as telemetry sees it: a ClientCallTracer per call, made by the
// client's call-tracer factory, which also sends Istio's metadata exchange headers and the trace
// context. It records gRFC A66's attempt and call instruments and, when the call ends, Istio's
// reporter="source" metrics with the peer's labels from the response's `x-envoy-peer-metadata`.
// With tracing on, the call is a client span carrying the route decision (route, cluster,
// endpoint, retries).

import { performance } from 'node:perf_hooks';
import type { DescMethod } from '@bufbuild/protobuf';
import type { Span } from '@opentelemetry/api';
import { type Code, ConstantMetadata, type Metadata } from '@shoal/rpc/client';
import type {
  AttemptDestination,
  ClientAttemptTracer,
  ClientCallTracer,
  ClientCallTracerFactory,
} from '@shoal/rpc/plugins';
import { type GrpcClientInstruments, MethodSeries } from './grpc-metrics.js';
import { type IstioInstruments, type PeerIds, SourceSeries } from './istio-metrics.js';
import {
  encodePeerMetadata,
  PEER_METADATA_HEADER,
  PEER_METADATA_ID_HEADER,
  type PeerMetadataCache,
  type PeerWorkload,
} from './peer-metadata.js';
import type { Tracing } from './tracing.js';
import type { WorkloadIdentity } from './workload-identity.js';

/** What a process's clients share (one Telemetry's instruments and caches). */
export interface ClientTelemetryShared {
  readonly grpc: GrpcClientInstruments;
  readonly istio: IstioInstruments;
  readonly peers: PeerMetadataCache;
  readonly peerIds: PeerIds;
  readonly tracing: Tracing | undefined;
}

/** The telemetry of the calls to one target. */
export class ClientTelemetry {
  private readonly methods = new WeakMap<DescMethod, MethodSeries>();
  /** Istio's metadata exchange headers: the same on every call, so built and checked once. */
  private readonly exchange: ConstantMetadata;
  readonly sourceSeries: SourceSeries;

  constructor(
    readonly shared: ClientTelemetryShared,
    /** A66's grpc.target: the target as dialled, e.g. `xds:///greeter:50051`. */
    readonly target: string,
    readonly workload: WorkloadIdentity,
  ) {
    this.exchange = new ConstantMetadata({
      [PEER_METADATA_ID_HEADER]: workload.nodeId,
      [PEER_METADATA_HEADER]: encodePeerMetadata(workload),
    });
    this.sourceSeries = new SourceSeries(shared.istio.table, shared.peerIds, workload, target);
  }

  /**
   * For ClientOptions.callTracer: per call, sends the metadata exchange headers (and trace
   * context) and returns the call's tracer, which the client ends when the caller has the result.
   */
  callTracer(): ClientCallTracerFactory {
    return (method, header) => {
      header.addConstant(this.exchange);
      const call = new ClientCallRecord(this, method);
      call.span?.inject(header);
      return call;
    };
  }

  methodSeries(method: DescMethod): MethodSeries {
    let series = this.methods.get(method);
    if (series === undefined) {
      series = new MethodSeries(
        this.shared.istio.table,
        `${method.parent.typeName}/${method.name}`,
        this.target,
      );
      this.methods.set(method, series);
    }
    return series;
  }
}

/** One client call: A66's CallTracer. */
class ClientCallRecord implements ClientCallTracer {
  readonly t: ClientTelemetry;
  readonly series: MethodSeries;
  private readonly start = performance.now();
  private attempts = 0;
  private last: AttemptRecord | undefined;
  private ended = false;
  readonly span: ClientSpan | undefined;

  constructor(t: ClientTelemetry, method: DescMethod) {
    this.t = t;
    this.series = t.methodSeries(method);
    this.span = t.shared.tracing?.startClient(this.series.method);
  }

  startAttempt(): ClientAttemptTracer {
    this.attempts++;
    this.t.shared.grpc.attemptStarted.add(this.series.base);
    const attempt = new AttemptRecord(this);
    this.last = attempt;
    return attempt;
  }

  onEnd(code: Code): void {
    if (this.ended) return;
    this.ended = true;
    const ms = performance.now() - this.start;
    const { grpc, istio } = this.t.shared;
    grpc.callDuration.record(ms / 1000, this.series.status(code));
    const last = this.last;
    const series = this.t.sourceSeries.get(last?.peer, last?.cluster, code, last?.responded ?? false);
    istio.record(
      series,
      ms,
      (last?.sentBytes ?? 0) + 5 * (last?.sentMessages ?? 0),
      (last?.rcvdBytes ?? 0) + 5 * (last?.rcvdMessages ?? 0),
    );
    this.span?.end(code, this.attempts);
  }
}

/**
 * One attempt: A66's CallAttemptTracer. It keeps what the call's Istio labels need (the peer,
 * the cluster), not the response headers or the destination: a record that outlives a young-GC
 * cycle would keep them alive with it.
 */
class AttemptRecord implements ClientAttemptTracer {
  private readonly start = performance.now();
  sentBytes = 0;
  sentMessages = 0;
  rcvdBytes = 0;
  rcvdMessages = 0;
  /** Whether response headers arrived, and the peer they name (metadata exchange), if any. */
  responded = false;
  peer: PeerWorkload | undefined;
  cluster: string | undefined;

  constructor(private readonly call: ClientCallRecord) {}

  onDestination(destination: AttemptDestination): void {
    this.cluster = destination.cluster;
    this.call.span?.destination(destination);
  }

  onHeader(header: Metadata): void {
    this.responded = true;
    const mx = header.getString(PEER_METADATA_HEADER);
    if (mx !== undefined) this.peer = this.call.t.shared.peers.get(mx);
  }

  onMessageSent(bytes: number): void {
    this.sentBytes += bytes;
    this.sentMessages++;
  }

  onMessageReceived(bytes: number): void {
    this.rcvdBytes += bytes;
    this.rcvdMessages++;
  }

  onEnd(code: Code): void {
    const seconds = (performance.now() - this.start) / 1000;
    const attrs = this.call.series.status(code);
    this.call.t.shared.grpc.attempt.record(attrs, seconds, this.sentBytes, this.rcvdBytes);
  }
}

/** A client span as the call record drives it (tracing.ts makes them). */
export interface ClientSpan {
  readonly span: Span;
  inject(header: Metadata): void;
  destination(d: AttemptDestination): void;
  end(code: Code, attempts: number): void;
}
