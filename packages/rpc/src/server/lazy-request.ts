// The request a server hands to its implementation, and the response it gets back, when no
// interceptor runs. Then only the server's own code reads them (the message), so metadata and
// the signal are prototype getters over the call's context, built only if read: an
// AbortController and Metadata maps for every call were a large part of the server's time and of
// its GC work under load. Interceptors may copy these objects ({ ...request }), which would drop
// prototype getters, so with interceptors they are plain objects. Either way the request carries
// the context itself (one reference), so an interceptor reads the peer's and local addresses
// only when it needs them.

import type { DescMethod } from '@bufbuild/protobuf';
import type { HandlerContext } from '../handler-context.js';
import type { CallRequest, CallResponse } from '../interceptor.js';
import type { Metadata } from '../metadata.js';

class LazyRequest {
  private readonly contextValue: HandlerContext;
  readonly method: DescMethod;

  constructor(
    context: HandlerContext,
    readonly stream: boolean,
    readonly message: unknown,
    readonly timeoutMs: number | undefined,
  ) {
    this.contextValue = context;
    this.method = context.method;
  }

  get header(): Metadata {
    return this.contextValue.requestHeader;
  }

  get signal(): AbortSignal {
    return this.contextValue.signal;
  }

  get context(): HandlerContext {
    return this.contextValue;
  }
}

/** The request for one call: lazy without interceptors, plain data with them. */
export function serverRequest(
  context: HandlerContext,
  hasInterceptors: boolean,
  stream: boolean,
  message: unknown,
  timeoutMs: number | undefined,
): CallRequest {
  if (!hasInterceptors) return new LazyRequest(context, stream, message, timeoutMs) as unknown as CallRequest;
  return {
    stream,
    method: context.method,
    header: context.requestHeader,
    message,
    signal: context.signal,
    timeoutMs,
    context,
  } as CallRequest;
}

class LazyResponse {
  private readonly context: HandlerContext;

  constructor(
    context: HandlerContext,
    readonly stream: boolean,
    readonly message: unknown,
  ) {
    this.context = context;
  }

  get header(): Metadata {
    return this.context.responseHeader;
  }

  get trailer(): Metadata {
    return this.context.responseTrailer;
  }
}

/** The implementation's response: lazy without interceptors, plain data with them. */
export function serverResponse(
  context: HandlerContext,
  hasInterceptors: boolean,
  stream: boolean,
  message: unknown,
): CallResponse {
  if (!hasInterceptors) return new LazyResponse(context, stream, message) as unknown as CallResponse;
  return {
    stream,
    header: context.responseHeader,
    message,
    trailer: context.responseTrailer,
  } as CallResponse;
}
