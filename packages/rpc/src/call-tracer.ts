// Call tracers: the hooks through which a stats or tracing plug-in (@shoal/telemetry) sees each
// call without @shoal/rpc knowing of it. gRFC A66's "CallTracer" design: a client call has a
// ClientCallTracer that starts one ClientAttemptTracer per attempt (the mesh makes several when
// it retries); a server call has a ServerCallTracer. Message sizes are reported by the framing
// layer, compressed and without the 5-byte length prefix, as A66 defines them. Both sides take a
// factory in their options (ClientOptions.callTracer, ServerOptions.callTracer), so a plug-in
// observes calls without an interceptor and the extra promises one puts around each response.

import type { DescMethod } from '@bufbuild/protobuf';
import type { Code } from './code.js';
import type { HandlerContext } from './handler-context.js';
import type { Metadata } from './metadata.js';

/** Where a mesh sent an attempt (the route decision, for spans and load reports). */
export interface AttemptDestination {
  /** `host:port` of the endpoint. */
  readonly endpoint: string;
  /** The xDS cluster, e.g. `outbound|50051|v1|greeter.default.svc.cluster.local`. */
  readonly cluster?: string;
  /** The route's name. */
  readonly route?: string;
  /** The endpoint's locality, `region/zone/subzone`. */
  readonly locality?: string;
}

/** One attempt of a client call, from before its endpoint is picked until its status is known. */
export interface ClientAttemptTracer {
  /** The endpoint (and, under a mesh, route and cluster) the attempt goes to. */
  onDestination?(destination: AttemptDestination): void;
  /** Response headers (also the combined headers of a Trailers-Only response). */
  onHeader?(header: Metadata): void;
  onMessageSent(compressedBytes: number): void;
  onMessageReceived(compressedBytes: number): void;
  /** The attempt ended with this status; called once. */
  onEnd(code: Code): void;
}

/** One client call (`request.tracer`): made by the client's ClientCallTracerFactory, or set by an interceptor. */
export interface ClientCallTracer {
  /** A new attempt starts (before its endpoint is picked). */
  startAttempt(): ClientAttemptTracer;
  /**
   * The call ended with this status: the caller has its response or error (a streamed response
   * when its stream ends, fails or is abandoned); once. The client calls it for tracers that
   * its factory made.
   */
  onEnd?(code: Code): void;
}

/**
 * Called by a client as a call starts, before its interceptors, with the method and the request
 * headers, which it may add to (metadata exchange, trace context). Returns the call's tracer, or
 * undefined to leave the call untraced.
 */
export type ClientCallTracerFactory = (method: DescMethod, header: Metadata) => ClientCallTracer | undefined;

/** One server call, from its request headers until its status is sent or the stream is reset. */
export interface ServerCallTracer {
  onMessageReceived(compressedBytes: number): void;
  onMessageSent(compressedBytes: number): void;
  /** The call ended with this status (its trailers are scheduled, or the stream was reset); once. */
  onEnd(code: Code): void;
}

/**
 * Called when a server call's request headers arrive. The context may be read (request headers)
 * and written (response headers, sent with the first response message or a Trailers-Only status).
 * `path` is `/package.Service/Method` as sent; `registered` is false when the server has no method
 * at that path (the call will end UNIMPLEMENTED): A66 records those under the method `other`.
 */
export type ServerCallTracerFactory = (
  path: string,
  context: HandlerContext,
  registered: boolean,
) => ServerCallTracer | undefined;
