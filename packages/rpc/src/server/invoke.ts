// Runs a registered implementation for one call, whatever its kind, behind the interceptor chain.

import { create, type DescMessage } from '@bufbuild/protobuf';
import { Code } from '../code.js';
import type { HandlerContext } from '../handler-context.js';
import type { CallFn, CallRequest, CallResponse, Interceptor } from '../interceptor.js';
import { applyInterceptors } from '../interceptor.js';
import { RpcError } from '../rpc-error.js';
import { serverResponse } from './lazy-request.js';
import type { RegisteredMethod } from './method-router.js';

/** Turns what an implementation returned (a message or a plain init object) into a message. */
function toMessage(schema: DescMessage, value: unknown): unknown {
  if (value === undefined || value === null) {
    throw new RpcError(Code.INTERNAL, `handler returned no ${schema.typeName}`);
  }
  return create(schema, value as never);
}

/**
 * The implementation's responses as messages. Not an async generator: a long-lived stream waits
 * in `next()` for its whole life, and a generator's suspended state and promise chain are a
 * sizeable part of a server's memory per idle stream.
 */
export class ResponseMessages implements AsyncIterableIterator<unknown> {
  /** The implementation's own iterator: a sender may read it directly and convert() each value. */
  readonly values: AsyncIterator<unknown>;

  constructor(
    private readonly schema: DescMessage,
    values: AsyncIterable<unknown>,
  ) {
    this.values = values[Symbol.asyncIterator]();
  }

  /** One value of the implementation's as a message; when it is none, the implementation is told to stop. */
  convert(value: unknown): unknown {
    try {
      return toMessage(this.schema, value);
    } catch (err) {
      // As a for-await over the implementation's iterator would: it is told to stop.
      void Promise.resolve(this.values.return?.()).catch(() => {});
      throw err;
    }
  }

  private readonly toResult = (r: IteratorResult<unknown>): IteratorResult<unknown> =>
    r.done ? r : { value: this.convert(r.value), done: false };

  next(): Promise<IteratorResult<unknown>> {
    try {
      return this.values.next().then(this.toResult);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The call ended first (cancelled, failed to send): the implementation's iterator is told. */
  return(value?: unknown): Promise<IteratorResult<unknown>> {
    try {
      const done = this.values.return?.(value);
      return done
        ? Promise.resolve(done).then(() => ({ value, done: true }))
        : Promise.resolve({ value, done: true });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Hands the request to the implementation: the innermost call of the chain. */
async function callImplementation(
  registered: RegisteredMethod,
  context: HandlerContext,
  hasInterceptors: boolean,
  request: CallRequest,
): Promise<CallResponse> {
  const { method, impl } = registered;
  const output = method.output;
  switch (method.methodKind) {
    case 'unary':
    case 'client_streaming': {
      const message = toMessage(output, await impl(request.message, context));
      return serverResponse(context, hasInterceptors, false, message);
    }
    case 'server_streaming':
    case 'bidi_streaming': {
      const produced = impl(request.message, context) as AsyncIterable<unknown>;
      if (!produced || typeof produced[Symbol.asyncIterator] !== 'function') {
        throw new RpcError(
          Code.INTERNAL,
          `${method.parent.typeName}.${method.name} must return an async iterable`,
        );
      }
      return serverResponse(context, hasInterceptors, true, new ResponseMessages(output, produced));
    }
  }
}

export function invokeMethod(
  registered: RegisteredMethod,
  context: HandlerContext,
  interceptors: readonly Interceptor[],
  request: CallRequest,
): Promise<CallResponse> {
  // Without interceptors no call function is made for the call (most calls have none).
  if (interceptors.length === 0) return callImplementation(registered, context, false, request);
  const call: CallFn = (req) => callImplementation(registered, context, true, req);
  return applyInterceptors(call, interceptors)(request);
}
