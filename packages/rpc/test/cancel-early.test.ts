// Cancelling a call right after it starts (gRPC interop: cancel_after_begin) must end it at once
// with CANCELLED, however the HTTP/2 stream's reset races the server's answer.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../src/client/create-client.js';
import { GrpcTransport } from '../src/client/transport.js';
import { Code } from '../src/code.js';
import { RpcError } from '../src/rpc-error.js';
import { Server } from '../src/server/server.js';
import { echoImpl } from './echo-impl.js';
import { EchoService } from './gen/shoal/testing/v1/echo_pb.js';

/** A request stream that sends nothing until `signal` aborts. */
async function* silentUntil(signal: AbortSignal): AsyncGenerator<{ text: string }> {
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
}

async function codeOf(run: Promise<unknown>, limitMs: number): Promise<Code | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), limitMs)));
  const ended = run.then(
    () => Code.OK,
    (err: unknown) => (err instanceof RpcError ? err.code : Code.UNKNOWN),
  );
  try {
    return await Promise.race([ended, hung]);
  } finally {
    clearTimeout(timer);
  }
}

describe('cancelling right after the start', () => {
  const server = new Server();
  server.register(EchoService, echoImpl());
  let transport: GrpcTransport;
  const done = new AbortController();
  before(async () => {
    transport = new GrpcTransport({ address: `127.0.0.1:${(await server.listen(0)).port}` });
  });
  after(async () => {
    done.abort();
    transport.close();
    await server.close(1000);
  });

  it('ends every call with CANCELLED or DEADLINE_EXCEEDED, none left hanging', async () => {
    const client = createClient(EchoService, transport);
    const seen: Array<Code | 'hung'> = [];
    for (let i = 0; i < 40; i++) {
      // A call that runs out of time, then one cancelled as soon as it began, on one connection.
      const timedOut = (async () => {
        for await (const _ of client.echoBidi(silentUntil(done.signal), { timeoutMs: 1 })) {
          // no responses
        }
      })();
      seen.push(await codeOf(timedOut, 2000));
      const controller = new AbortController();
      const cancelled = client.echoClientStream(silentUntil(done.signal), { signal: controller.signal });
      controller.abort();
      seen.push(await codeOf(cancelled, 2000));
    }
    const expected = seen.map((_, i) => (i % 2 === 0 ? Code.DEADLINE_EXCEEDED : Code.CANCELLED));
    assert.deepEqual(seen, expected);
  });
});
