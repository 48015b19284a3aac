// The EchoService implementation the rpc tests run against: every call kind, with knobs for
// delays, failures and response compression carried in the request.

import { setTimeout as sleep } from 'node:timers/promises';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { HandlerContext } from '../src/handler-context.js';
import type { ServiceImpl } from '../src/method-types.js';
import { RpcError } from '../src/rpc-error.js';
import type {
  EchoRequest,
  EchoResponse,
  EchoResponseSchema,
  EchoService,
} from './gen/shoal/testing/v1/echo_pb.js';

type Response = MessageInitShape<typeof EchoResponseSchema>;

async function prepare(request: EchoRequest, context: HandlerContext): Promise<void> {
  if (request.delayMs > 0)
    await sleep(request.delayMs, undefined, { signal: context.signal }).catch(() => {});
  if (request.failCode !== 0) throw new RpcError(request.failCode, request.failMessage);
}

function reply(request: EchoRequest, context: HandlerContext, index = 0): Response {
  const headers: Record<string, string> = {};
  for (const [key, values] of context.requestHeader.entries()) {
    const v = values[0];
    headers[key] = typeof v === 'string' ? v : Buffer.from(v!).toString('base64');
  }
  return {
    text: request.text,
    index,
    payload: request.payload,
    headers,
    ...(request.detail && { detail: request.detail }),
    version: context.version,
    peer: context.peer,
  };
}

export function echoImpl(version = ''): ServiceImpl<typeof EchoService> {
  return {
    async echo(request, context) {
      await prepare(request, context);
      context.responseHeader.set('x-served-by', version || 'default');
      context.responseTrailer.set('x-trailer', 'done');
      return reply(request, context);
    },
    async *echoServerStream(request, context) {
      await prepare(request, context);
      for (let i = 0; i < request.repeat; i++) {
        if (context.signal.aborted) return;
        yield reply(request, context, i);
      }
    },
    async echoClientStream(requests, context) {
      const texts: string[] = [];
      let last: EchoRequest | undefined;
      for await (const request of requests) {
        texts.push(request.text);
        last = request;
      }
      if (last) await prepare(last, context);
      return { text: texts.join(','), index: texts.length };
    },
    async *echoBidi(requests, context) {
      let i = 0;
      for await (const request of requests) {
        await prepare(request, context);
        const out: EchoResponse | Response = reply(request, context, i++);
        yield out;
      }
    },
  };
}
