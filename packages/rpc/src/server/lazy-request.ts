// The request a server hands to its implementation when no interceptor runs. Only the
// implementation call reads it (for the message), so header and signal are prototype getters
// over the call's context, built only if read: an AbortController and parsed metadata for every
// call were a large part of the server's time and of its GC work under load. Interceptors may
// copy a request ({ ...request }), which would drop prototype getters, so they get a plain object.

import type { DescMethod } from '@bufbuild/protobuf';
import type { HandlerContext } from '../handler-context.js';
import type { CallRequest } from '../interceptor.js';
import type { Metadata } from '../metadata.js';

class LazyRequest {
  readonly #context: HandlerContext;
  readonly method: DescMethod;

  constructor(
    context: HandlerContext,
    readonly stream: boolean,
    readonly message: unknown,
    readonly timeoutMs: number | undefined,
  ) {
    this.#context = context;
    this.method = context.method;
  }

  get header(): Metadata {
    return this.#context.requestHeader;
  }

  get signal(): AbortSignal {
    return this.#context.signal;
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
  } as CallRequest;
}
