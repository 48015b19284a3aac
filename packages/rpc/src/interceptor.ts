// Interceptors wrap a call on either side. A call is a request (method, metadata, the message
// or a stream of them) that resolves to a response (headers, the message or a stream, trailers).
// The same shape serves clients and servers, so an interceptor can be written once.

import type { DescMethod } from '@bufbuild/protobuf';
import type { ClientAttemptTracer, ClientCallTracer } from './call-tracer.js';
import type { HandlerContext } from './handler-context.js';
import type { Metadata } from './metadata.js';

interface RequestCommon {
  readonly method: DescMethod;
  /** Request metadata; interceptors may add to it before calling next. */
  readonly header: Metadata;
  readonly signal: AbortSignal;
  /** Time budget in ms, when the call has one. */
  readonly timeoutMs: number | undefined;
  /**
   * Server side: the call's context as its implementation sees it (peer and local addresses,
   * deadline, response metadata; each built only when read). Undefined on the client.
   */
  readonly context?: HandlerContext | undefined;
  /**
   * Client side: the call's tracer, set by a stats or tracing interceptor; the transport that
   * makes an attempt starts it there (`tracer.startAttempt()`).
   */
  readonly tracer?: ClientCallTracer | undefined;
  /** Client side: the attempt already started for this request by a transport above (the mesh). */
  readonly attempt?: ClientAttemptTracer | undefined;
  /**
   * Client side: sent as `:path` instead of the method's own `/package.Service/Method` (a mesh
   * route's path rewrite). The message types stay the method's.
   */
  readonly path?: string | undefined;
  /** Client side: sent as `:authority` instead of the transport's (a mesh route's host rewrite). */
  readonly authority?: string | undefined;
}

/** A unary call's request: method, message and metadata. */
export interface UnaryRequest extends RequestCommon {
  readonly stream: false;
  readonly message: unknown;
}

/** A streaming call's request: the messages as an async iterable. */
export interface StreamRequest extends RequestCommon {
  readonly stream: true;
  readonly message: AsyncIterable<unknown>;
}

/** A unary call's response: headers, message and trailers. */
export interface UnaryResponse {
  readonly stream: false;
  readonly header: Metadata;
  readonly message: unknown;
  readonly trailer: Metadata;
}

/** A streaming call's response: headers, messages as an async iterable, then trailers. */
export interface StreamResponse {
  readonly stream: true;
  readonly header: Metadata;
  readonly message: AsyncIterable<unknown>;
  /** Filled in when the message stream has been read to its end. */
  readonly trailer: Metadata;
}

/** A call's request, unary or streaming. */
export type CallRequest = UnaryRequest | StreamRequest;
/** A call's response, unary or streaming. */
export type CallResponse = UnaryResponse | StreamResponse;
/** The next step of a call, as an interceptor calls it. */
export type CallFn = (request: CallRequest) => Promise<CallResponse>;
/** Wraps calls: takes the next step and returns one that does more around it. */
export type Interceptor = (next: CallFn) => CallFn;

/** What a step of a call changes in the request it passes on (withRequest). */
export interface RequestChanges {
  readonly header?: Metadata;
  /** Set even when undefined (a deadline that no longer applies); left alone when absent. */
  readonly timeoutMs?: number | undefined;
  readonly tracer?: ClientCallTracer;
  readonly attempt?: ClientAttemptTracer;
  readonly path?: string;
  readonly authority?: string;
}

/**
 * A client request as this library builds one (a call's first, and withRequest's copies): a
 * class instance, not an object literal. V8 may start allocating an object literal's objects
 * straight into the old generation (allocation-site pretenuring) after a GC that found most of
 * them alive; a request allocated there keeps its call's young objects (metadata, message, tracer
 * records) alive through young-generation GCs until a full GC. With metrics on that promoted
 * 0.35–0.5 MB per scavenge; as a class instance, 0.1–0.15 (bench/README.md, (e) session 7). One
 * shape for every request also keeps the transports' property reads monomorphic.
 */
export class RequestRecord {
  constructor(
    readonly method: DescMethod,
    readonly header: Metadata,
    readonly signal: AbortSignal,
    readonly timeoutMs: number | undefined,
    readonly context: HandlerContext | undefined,
    readonly tracer: ClientCallTracer | undefined,
    readonly attempt: ClientAttemptTracer | undefined,
    readonly path: string | undefined,
    readonly authority: string | undefined,
    readonly stream: boolean,
    readonly message: unknown,
  ) {}
}

/**
 * `request` with `changes`, built field by field. An object spread (`{ ...request, tracer }`)
 * allocated about 440 bytes more per copy (V8's sampling heap profiler, Node 20), and the
 * telemetry and mesh steps copy a request once or twice per call.
 */
export function withRequest(request: CallRequest, changes: RequestChanges): CallRequest {
  return new RequestRecord(
    request.method,
    changes.header ?? request.header,
    request.signal,
    'timeoutMs' in changes ? changes.timeoutMs : request.timeoutMs,
    request.context,
    changes.tracer ?? request.tracer,
    changes.attempt ?? request.attempt,
    changes.path ?? request.path,
    changes.authority ?? request.authority,
    request.stream,
    request.message,
  ) as CallRequest;
}

/** Wraps `last` in the interceptors so that the first one listed runs first. */
export function applyInterceptors(last: CallFn, interceptors: readonly Interceptor[]): CallFn {
  let fn = last;
  for (let i = interceptors.length - 1; i >= 0; i--) fn = interceptors[i]!(fn);
  return fn;
}
