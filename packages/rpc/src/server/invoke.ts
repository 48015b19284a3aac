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

async function* toMessages(schema: DescMessage, values: AsyncIterable<unknown>): AsyncGenerator<unknown> {
  for await (const value of values) yield toMessage(schema, value);
}

/** The innermost call function: hands the request to the implementation. */
function implementationCall(
  registered: RegisteredMethod,
  context: HandlerContext,
  hasInterceptors: boolean,
): CallFn {
  const { method, impl } = registered;
  return async (request: CallRequest): Promise<CallResponse> => {
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
        return serverResponse(context, hasInterceptors, true, toMessages(output, produced));
      }
    }
  };
}

export function invokeMethod(
  registered: RegisteredMethod,
  context: HandlerContext,
  interceptors: readonly Interceptor[],
  request: CallRequest,
): Promise<CallResponse> {
  const call = implementationCall(registered, context, interceptors.length > 0);
  return (interceptors.length === 0 ? call : applyInterceptors(call, interceptors))(request);
}
