// What a service implementation sees of its call besides the request message(s).

import type { DescMethod } from '@bufbuild/protobuf';
import type { Compression } from './compression.js';
import type { Metadata } from './metadata.js';

export type ServerProtocol = 'grpc' | 'http';

export interface HandlerContext {
  readonly method: DescMethod;
  readonly protocol: ServerProtocol;
  /** Request metadata (reserved transport headers removed). */
  readonly requestHeader: Metadata;
  /** Response headers; may be changed until the first response message is sent. */
  readonly responseHeader: Metadata;
  /** Response trailers; may be changed until the call ends. */
  readonly responseTrailer: Metadata;
  /** Aborts when the client cancels, the deadline passes, or the server shuts down hard. */
  readonly signal: AbortSignal;
  /** Absolute deadline (ms since epoch) when the client sent a timeout. */
  readonly deadline: number | undefined;
  /** Remote address of the caller, as `ip:port`. */
  readonly peer: string;
  /** Triple service version and group the call was routed by ('' when none). */
  readonly version: string;
  readonly group: string;
  /** The request's `grpc-encoding` (gRPC) or `content-encoding` (HTTP mode); `identity` when none. */
  readonly requestEncoding: string;
  /**
   * gRPC mode: compression of the response messages, settable until the first one is sent. Left
   * undefined, responses use the request's own encoding when the client accepts it. HTTP mode ignores it.
   */
  responseCompression?: Compression | undefined;
}

/** Milliseconds left before the deadline, or undefined when the call has none. */
export function timeRemaining(context: HandlerContext): number | undefined {
  return context.deadline === undefined ? undefined : Math.max(0, context.deadline - Date.now());
}
