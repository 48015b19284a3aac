// A handler that stops reading its request stream early (it fails, or has read enough) still ends
// the call with its own status (gRPC: PROTOCOL-HTTP2, trailers), never with a bare RST_STREAM.

import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../src/client/create-client.js';
import { GrpcTransport } from '../src/client/transport.js';
import { Code } from '../src/code.js';
import { RpcError } from '../src/rpc-error.js';
import { Server } from '../src/server/server.js';
import { EchoService } from './gen/shoal/testing/v1/echo_pb.js';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/** Yields the items, then stays open until `signal` aborts (a client that keeps its side open). */
async function* thenHold<T>(items: T[], signal: AbortSignal): AsyncGenerator<T> {
  yield* items;
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
}

async function statusOf(run: () => Promise<unknown>): Promise<RpcError> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof RpcError, `expected RpcError, got ${err}`);
    return err;
  }
  assert.fail('the call succeeded');
}

describe('handlers that stop reading early', () => {
  const server = new Server();
  server.register(EchoService, {
    async *echoBidi(requests) {
      for await (const request of requests) {
        if (request.failCode) throw new RpcError(request.failCode, request.failMessage);
        yield { text: request.text };
      }
    },
    async echoClientStream(requests) {
      for await (const request of requests) return { text: `first: ${request.text}` };
      return { text: 'none' };
    },
  });
  let transport: GrpcTransport;
  let client: ReturnType<typeof createClient<typeof EchoService>>;
  const done = new AbortController();

  before(async () => {
    const { port } = await server.listen(0);
    transport = new GrpcTransport({ address: `127.0.0.1:${port}` });
    client = createClient(EchoService, transport);
  });
  after(async () => {
    done.abort();
    transport.close();
    await server.close(1000);
  });

  const collect = async (iterable: AsyncIterable<{ text: string }>) => {
    const out: string[] = [];
    for await (const r of iterable) out.push(r.text);
    return out;
  };

  it('a bidi handler that throws on a half-closed stream ends with its status (Trailers-Only)', async () => {
    const err = await statusOf(() =>
      collect(client.echoBidi(from([{ failCode: Code.NOT_FOUND, failMessage: 'no such thing' }]))),
    );
    assert.equal(err.code, Code.NOT_FOUND, err.message);
    assert.equal(err.rawMessage, 'no such thing');
  });

  it('a bidi handler that throws after responding, with the client still sending, ends with its status', async () => {
    const requests = thenHold([{ text: 'a' }, { failCode: Code.ABORTED, failMessage: 'stop' }], done.signal);
    const seen: string[] = [];
    const err = await statusOf(async () => {
      for await (const r of client.echoBidi(requests)) seen.push(r.text);
    });
    assert.equal(err.code, Code.ABORTED, err.message);
    assert.deepEqual(seen, ['a']);
  });

  it('a client-streaming handler may answer before reading everything', async () => {
    const requests = thenHold([{ text: 'x' }, { text: 'y' }], done.signal);
    const res = await client.echoClientStream(requests);
    assert.equal(res.text, 'first: x');
    // The connection still serves calls.
    assert.deepEqual(await collect(client.echoBidi(from([{ text: 'ok' }]))), ['ok']);
  });

  it('streams whose requests were left unread do not hold up a graceful close', async () => {
    transport.close();
    const started = Date.now();
    await server.close(5000);
    assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
  });
});

describe('a server that ends the call while the client still sends', () => {
  // Sends the status and nothing else: no RST_STREAM, so only the client can close its side.
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.on('data', () => {});
    stream.on('error', () => {});
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '9', 'grpc-message': 'stop' },
      { endStream: true },
    );
  });
  let transport: GrpcTransport;
  const done = new AbortController();
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    transport = new GrpcTransport({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  after(async () => {
    done.abort();
    transport.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('the client ends the call with the status at once, without waiting for its own requests', async () => {
    const client = createClient(EchoService, transport);
    const started = Date.now();
    const err = await statusOf(async () => {
      for await (const _ of client.echoBidi(thenHold([{ text: 'a' }], done.signal))) {
        // no responses expected
      }
    });
    assert.equal(err.code, Code.FAILED_PRECONDITION, err.message);
    assert.equal(err.rawMessage, 'stop');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });
});
