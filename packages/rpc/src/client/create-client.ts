// Typed clients from a generated service descriptor: one function per method, shaped by its kind.

import { create, type DescMethod, type DescService } from '@bufbuild/protobuf';
import type { CallOptions } from '../call-options.js';
import type { ClientCallTracer, ClientCallTracerFactory } from '../call-tracer.js';
import { Code } from '../code.js';
import {
  applyInterceptors,
  type CallFn,
  type CallRequest,
  type Interceptor,
  RequestRecord,
  withRequest,
} from '../interceptor.js';
import { Metadata } from '../metadata.js';
import type { Client } from '../method-types.js';
import { RpcError } from '../rpc-error.js';
import { neverAborted } from './never-aborted.js';
import { trackStream } from './track-stream.js';
import { GrpcTransport, type Transport } from './transport.js';

/** A client's interceptors, call tracer and the call options every call starts from. */
export interface ClientOptions {
  interceptors?: Interceptor[];
  /**
   * Makes each call's tracer (gRFC A66; @shoal/telemetry's), before the interceptors run. The
   * client ends it when the caller has the result, with no promise of its own around the call.
   */
  callTracer?: ClientCallTracerFactory;
  /** Options every call starts from; per-call options override them. */
  defaults?: CallOptions;
}

/**
 * Creates a typed client. `target` is a Transport, or `host:port` for a plain gRPC connection
 * (mesh targets such as `xds:///host:port` come from @shoal/mesh as transports).
 */
export function createClient<S extends DescService>(
  service: S,
  target: Transport | string,
  options: ClientOptions = {},
): Client<S> {
  const transport = typeof target === 'string' ? new GrpcTransport({ address: target }) : target;
  const client: Record<string, unknown> = {};
  for (const method of service.methods) {
    client[method.localName] = methodCaller(method, transport, options);
  }
  return client as Client<S>;
}

/** The options of a call made without any (shared, so its interceptor chain is built once). */
const NO_OPTIONS: CallOptions = Object.freeze({});

function methodCaller(method: DescMethod, transport: Transport, options: ClientOptions) {
  const tracerOf = options.callTracer;
  const compose = (callOptions: CallOptions): CallFn => {
    const last: CallFn = (request) => transport.call(request, callOptions);
    const chain = options.interceptors?.length ? applyInterceptors(last, options.interceptors) : last;
    return tracerOf === undefined || method.methodKind === 'unary' ? chain : tracedStream(chain, tracerOf);
  };
  // Calls without options (the usual case) share one chain: composing it per call allocated a
  // closure per interceptor on every call.
  let plain: CallFn | undefined;
  const call = (callOptions: CallOptions): CallFn =>
    callOptions === NO_OPTIONS ? (plain ??= compose(NO_OPTIONS)) : compose(callOptions);
  // Without interceptors, no per-call closure: the transport takes the request directly.
  const send = (request: CallRequest, callOptions: CallOptions) =>
    options.interceptors?.length ? call(callOptions)(request) : transport.call(request, callOptions);
  const headerOf = (callOptions: CallOptions) => new Metadata(callOptions.headers as Metadata | undefined);
  // Every call's request is a RequestRecord, not an object literal (why: interceptor.ts).
  const newRequest = (
    callOptions: CallOptions,
    stream: boolean,
    message: unknown,
    header = headerOf(callOptions),
    tracer?: ClientCallTracer,
  ) =>
    new RequestRecord(
      method,
      header,
      callOptions.signal ?? neverAborted,
      callOptions.timeoutMs,
      undefined,
      tracer,
      undefined,
      undefined,
      undefined,
      stream,
      message,
    ) as CallRequest;
  const merge = (o?: CallOptions): CallOptions =>
    options.defaults ? { ...options.defaults, ...o } : (o ?? NO_OPTIONS);
  const input = (value: unknown) => create(method.input, value as never);

  switch (method.methodKind) {
    case 'unary':
      return async (value: unknown, o?: CallOptions) => {
        const opts = merge(o);
        const header = headerOf(opts);
        const tracer = tracerOf?.(method, header);
        const request = newRequest(opts, false, input(value), header, tracer);
        if (tracer?.onEnd === undefined) return (await send(request, opts)).message;
        // The tracer ends here, in this function's own continuation, not in a reaction or a
        // promise wrapped around the response (bench/README.md (e)).
        try {
          const response = await send(request, opts);
          tracer.onEnd(Code.OK);
          return response.message;
        } catch (err) {
          tracer.onEnd(RpcError.from(err).code);
          throw err;
        }
      };
    case 'server_streaming':
      return (value: unknown, o?: CallOptions) => {
        const opts = merge(o);
        return responses(call(opts), newRequest(opts, false, input(value)));
      };
    case 'client_streaming':
      return async (values: AsyncIterable<unknown>, o?: CallOptions) => {
        const opts = merge(o);
        const response = await call(opts)(newRequest(opts, true, mapStream(values, input)));
        if (!response.stream) return response.message;
        for await (const message of response.message) return message;
        return undefined;
      };
    case 'bidi_streaming':
      return (values: AsyncIterable<unknown>, o?: CallOptions) => {
        const opts = merge(o);
        return responses(call(opts), newRequest(opts, true, mapStream(values, input)));
      };
  }
}

/**
 * `call` with a tracer per call (streaming methods: the call starts when the caller first reads
 * or writes), ended when the response stream ends, or with the error that ended the call.
 */
function tracedStream(call: CallFn, tracerOf: ClientCallTracerFactory): CallFn {
  return (request) => {
    const tracer = tracerOf(request.method, request.header);
    if (tracer === undefined) return call(request);
    const end = (code: Code) => tracer.onEnd?.(code);
    let response: ReturnType<CallFn>;
    try {
      response = call(withRequest(request, { tracer }));
    } catch (err) {
      end(RpcError.from(err).code);
      throw err;
    }
    return response.then(
      (r) => {
        if (r.stream) return trackStream(r, end);
        end(Code.OK);
        return r;
      },
      (err: unknown) => {
        end(RpcError.from(err).code);
        throw err;
      },
    );
  };
}

/**
 * The responses of a streaming call, as the caller iterates them. Hand-written rather than
 * async generators: a generator layer costs several promises per message, and a bidi stream
 * passes every message through this and mapStream(). The call starts on the first next().
 */
function responses(call: CallFn, request: CallRequest): AsyncIterableIterator<unknown> {
  let inner: AsyncIterator<unknown> | undefined;
  let starting: Promise<AsyncIterator<unknown>> | undefined;
  const start = () =>
    (starting ??= call(request).then((response) => {
      inner = response.stream ? response.message[Symbol.asyncIterator]() : once(response.message);
      return inner;
    }));
  return {
    next: () => (inner ? inner.next() : start().then((it) => it.next())),
    return: (value?: unknown) => {
      if (inner) return inner.return ? inner.return(value) : Promise.resolve({ value, done: true as const });
      if (!starting) return Promise.resolve({ value, done: true as const });
      return starting.then((it) => (it.return ? it.return(value) : { value, done: true as const }));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** One value, then done. */
function once(value: unknown): AsyncIterator<unknown> {
  let taken = false;
  return {
    next: () => {
      const result = taken ? { value: undefined, done: true as const } : { value, done: false as const };
      taken = true;
      return Promise.resolve(result);
    },
  };
}

/** `values` with `fn` applied to each; an error in `fn` ends `values` as for-await would. */
function mapStream(
  values: AsyncIterable<unknown>,
  fn: (v: unknown) => unknown,
): AsyncIterableIterator<unknown> {
  const it = values[Symbol.asyncIterator]();
  const map = (result: IteratorResult<unknown>): IteratorResult<unknown> => {
    if (result.done) return result;
    try {
      return { value: fn(result.value), done: false };
    } catch (err) {
      void Promise.resolve(it.return?.()).catch(() => {});
      throw err;
    }
  };
  return {
    next: () => it.next().then(map),
    return: (value?: unknown) =>
      it.return ? it.return(value) : Promise.resolve({ value, done: true as const }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
