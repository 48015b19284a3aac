// Traces: OpenTelemetry spans for client and server calls, with trace context carried in the
// call's metadata both ways in two formats: W3C Trace Context (`traceparent`, `tracestate`) and
// B3 multi-header (`x-b3-traceid`, `x-b3-spanid`, `x-b3-sampled`, …), which Istio's proxies
// propagate. A server span's context is current while its handler runs (AsyncLocalStorage, owned
// by this instance, not a global context manager), so calls made from a handler are its children.
// Span attributes follow OpenTelemetry's RPC conventions; client spans add the route decision.

import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { type Code, codeName, type Metadata } from '@shoal/rpc/client';
import type { AttemptDestination } from '@shoal/rpc/plugins';
import type { ClientSpan } from './client-telemetry.js';

const getter: TextMapGetter<Metadata> = {
  keys: (carrier) => [...carrier.entries()].map(([k]) => k),
  get: (carrier, key) => carrier.getString(key),
};
const setter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => void carrier.set(key, value),
};

/** W3C first, B3 after: on the way in the last one found wins, so W3C wins when both are sent. */
export function tracePropagator(): TextMapPropagator {
  return new CompositePropagator({
    propagators: [
      new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
      new W3CTraceContextPropagator(),
    ],
  });
}

function rpcAttributes(method: string): Record<string, string> {
  const slash = method.indexOf('/');
  return {
    'rpc.system': 'grpc',
    'rpc.service': method.slice(0, slash),
    'rpc.method': method.slice(slash + 1),
  };
}

function finish(span: Span, code: Code): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (code !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: codeName(code) });
  span.end();
}

/** Trace context propagation over metadata (W3C and B3) and spans per call. */
export class Tracing {
  private readonly tracer: Tracer;
  private readonly propagator: TextMapPropagator;
  private readonly currentValue = new AsyncLocalStorage<Context>();

  constructor(tracer: Tracer, propagator: TextMapPropagator = tracePropagator()) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  /** The context calls made now are children of (a server span's, while its handler runs). */
  current(): Context {
    return this.currentValue.getStore() ?? ROOT_CONTEXT;
  }

  /** Runs `fn` with `context` current. */
  run<T>(context: Context, fn: () => T): T {
    return this.currentValue.run(context, fn);
  }

  /** A client span, child of the current context. `method` is `package.Service/Method`. */
  startClient(method: string): ClientSpan {
    const parent = this.current();
    const span = this.tracer.startSpan(
      method,
      { kind: SpanKind.CLIENT, attributes: rpcAttributes(method) },
      parent,
    );
    const context = trace.setSpan(parent, span);
    const propagator = this.propagator;
    return {
      span,
      inject: (header) => propagator.inject(context, header, setter),
      destination: (d: AttemptDestination) => {
        const colon = d.endpoint.lastIndexOf(':');
        span.setAttributes({
          'server.address': d.endpoint.slice(0, colon).replace(/^\[|\]$/g, ''),
          'server.port': Number(d.endpoint.slice(colon + 1)),
          'shoal.endpoint': d.endpoint,
          ...(d.cluster !== undefined && { 'shoal.cluster': d.cluster }),
          ...(d.route !== undefined && { 'shoal.route': d.route }),
          ...(d.locality !== undefined && { 'shoal.locality': d.locality }),
        });
      },
      end: (code, attempts) => {
        span.setAttribute('shoal.retries', Math.max(0, attempts - 1));
        finish(span, code);
      },
    };
  }

  /** A server span, child of the trace context in the request's headers (W3C or B3). */
  startServer(method: string, header: Metadata): { context: Context; end(code: Code): void } {
    const parent = this.propagator.extract(ROOT_CONTEXT, header, getter);
    const span = this.tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: rpcAttributes(method) },
      parent,
    );
    return { context: trace.setSpan(parent, span), end: (code) => finish(span, code) };
  }
}
