// Bad input from peers (gRPC: PROTOCOL-HTTP2; Dubbo Triple spec, HTTP mode): each case gets a
// clear status or HTTP error, nothing escapes as an uncaught exception or an error report, and the
// server keeps serving. Raw node:http2, node:http and net clients put the exact bytes on the wire.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { ErrorCode } from '@shoal/http2';
import { createClient } from '../src/client/create-client.js';
import { GrpcTransport } from '../src/client/transport.js';
import { Code } from '../src/code.js';
import { encodeEnvelope } from '../src/envelope.js';
import { Server } from '../src/server/server.js';
import { chooseTransport } from '../src/wire.js';
import { echoImpl } from './echo-impl.js';
import { EchoRequestSchema, EchoService } from './gen/shoal/testing/v1/echo_pb.js';
import { httpPost } from './http-post.js';
import { rawCall, statusOf } from './raw-h2.js';

/** The HTTP/2 this run uses (npm test runs this suite on both). */
const http2Transport = chooseTransport(undefined);
const echoPath = '/shoal.testing.v1.EchoService/Echo';
const bidiPath = '/shoal.testing.v1.EchoService/EchoBidi';
const maxReceive = 64 * 1024;

function request(text: string): Buffer {
  return Buffer.from(toBinary(EchoRequestSchema, create(EchoRequestSchema, { text })));
}

/** A length prefix by hand: flag byte and declared length, whatever the bytes that follow. */
function prefix(flag: number, length: number): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(length, 1);
  return head;
}

/** An HTTP/2 session over a socket the test holds, so it can drop the connection without a goodbye. */
function vanishingSession(port: number): { session: http2.ClientHttp2Session; socket: net.Socket } {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const session = http2.connect(`http://127.0.0.1:${port}`, { createConnection: () => socket });
  session.on('error', () => {});
  return { session, socket };
}

describe('bad input', () => {
  const reported: Array<[string, unknown]> = [];
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  const bidiAborts: unknown[] = [];
  const echo = echoImpl();
  const server = new Server({
    maxReceiveMessageBytes: maxReceive,
    onError: (error, where) => reported.push([where, error]),
  });
  server.register(EchoService, {
    ...echo,
    async *echoBidi(requests, context) {
      context.signal.addEventListener('abort', () => bidiAborts.push(context.signal.reason), { once: true });
      for await (const r of requests) yield { text: r.text };
    },
  });
  let port: number;
  let transport: GrpcTransport;

  before(async () => {
    process.on('uncaughtException', onUncaught);
    port = (await server.listen(0)).port;
    transport = new GrpcTransport({ address: `127.0.0.1:${port}` });
  });
  after(async () => {
    process.off('uncaughtException', onUncaught);
    transport.close();
    await server.close(1000);
  });

  /** After each bad peer, a well-behaved client still gets answers. */
  async function stillServes(): Promise<void> {
    const client = createClient(EchoService, transport);
    assert.equal((await client.echo({ text: 'still here' })).text, 'still here');
  }

  it('malformed length prefix (compressed flag 2) → INTERNAL', async () => {
    const body = request('x');
    const res = await rawCall(port, { path: echoPath, chunks: [prefix(2, body.byteLength), body] });
    assert.deepEqual(statusOf(res), {
      code: Code.INTERNAL,
      message: 'malformed message: invalid compressed flag 2 in length prefix',
    });
    await stillServes();
  });

  it('truncated frame: the stream ends inside a message, or inside a prefix → INTERNAL', async () => {
    const cut = await rawCall(port, { path: echoPath, chunks: [prefix(0, 100), Buffer.alloc(10)] });
    assert.equal(statusOf(cut).code, Code.INTERNAL);
    assert.match(statusOf(cut).message, /stream ended inside a frame \(15 bytes of an incomplete message\)/);
    const half = await rawCall(port, { path: echoPath, chunks: [Buffer.from([0, 0, 0])] });
    assert.equal(statusOf(half).code, Code.INTERNAL);
    assert.match(statusOf(half).message, /stream ended inside a frame/);
    await stillServes();
  });

  it('compressed flag without grpc-encoding → INTERNAL', async () => {
    const body = request('x');
    const res = await rawCall(port, { path: echoPath, chunks: [prefix(1, body.byteLength), body] });
    assert.deepEqual(statusOf(res), {
      code: Code.INTERNAL,
      message: 'received a compressed message, but no grpc-encoding was declared',
    });
  });

  it('bytes that are not the request message → INVALID_ARGUMENT', async () => {
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    const res = await rawCall(port, { path: echoPath, chunks: [encodeEnvelope(garbage)] });
    assert.equal(statusOf(res).code, Code.INVALID_ARGUMENT);
    assert.match(statusOf(res).message, /cannot decode shoal\.testing\.v1\.EchoRequest from protobuf/);
  });

  it('unknown method and unknown service → UNIMPLEMENTED naming them', async () => {
    const method = await rawCall(port, {
      path: '/shoal.testing.v1.EchoService/Nope',
      chunks: [encodeEnvelope(request(''))],
    });
    assert.deepEqual(statusOf(method), {
      code: Code.UNIMPLEMENTED,
      message: 'method not found: /shoal.testing.v1.EchoService/Nope',
    });
    const service = await rawCall(port, {
      path: '/no.such.Service/Echo',
      chunks: [encodeEnvelope(request(''))],
    });
    assert.deepEqual(statusOf(service), {
      code: Code.UNIMPLEMENTED,
      message: 'service not found: no.such.Service',
    });
  });

  it('unknown grpc-encoding → UNIMPLEMENTED, with grpc-accept-encoding listing what works', async () => {
    const res = await rawCall(port, {
      path: echoPath,
      headers: { 'grpc-encoding': 'snappy' },
      chunks: [encodeEnvelope(request('x'), true)],
    });
    assert.equal(statusOf(res).code, Code.UNIMPLEMENTED);
    assert.match(statusOf(res).message, /unsupported grpc-encoding "snappy"/);
    assert.equal(res.headers['grpc-accept-encoding'], 'identity,gzip,deflate');
  });

  it('malformed grpc-timeout → INTERNAL naming the header', async () => {
    const res = await rawCall(port, {
      path: echoPath,
      headers: { 'grpc-timeout': '5 seconds' },
      chunks: [encodeEnvelope(request('x'))],
    });
    assert.equal(statusOf(res).code, Code.INTERNAL);
    assert.match(statusOf(res).message, /malformed timeout header \(grpc-timeout/);
  });

  it('oversized message → RESOURCE_EXHAUSTED, by its declared length, before it arrives', async () => {
    const res = await rawCall(port, { path: echoPath, chunks: [prefix(0, maxReceive + 1)], keepOpen: true });
    assert.deepEqual(statusOf(res), {
      code: Code.RESOURCE_EXHAUSTED,
      message: `received message larger than max (${maxReceive + 1} vs. ${maxReceive})`,
    });
    const big = await httpPost(
      port,
      echoPath,
      { 'content-type': 'application/json' },
      JSON.stringify({ text: 'x'.repeat(maxReceive) }),
    );
    assert.equal(big.status, 429);
    assert.equal(JSON.parse(big.body).code, 'RESOURCE_EXHAUSTED');
    await stillServes();
  });

  it('HTTP/1.1 mode: a chunked body past the limit ends the connection while it streams in', async () => {
    // No content-length to check first: the server counts as the body arrives and stops reading.
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: echoPath,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      agent: false,
    });
    const ended = new Promise<string>((resolve) => {
      req.on('response', (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    const chunk = 'x'.repeat(16 * 1024);
    req.write(`{"text": "`);
    for (let sent = 0; sent <= maxReceive; sent += chunk.length) req.write(chunk);
    req.end('"}');
    assert.match(await ended, /^(ECONNRESET|EPIPE|socket hang up)$/);
    await stillServes();
  });

  it('HTTP mode: wrong content type → 415, invalid JSON → 400, GET → 405', async () => {
    const text = await httpPost(port, echoPath, { 'content-type': 'text/plain' }, 'hello');
    assert.equal(text.status, 415);
    assert.match(JSON.parse(text.body).message, /unsupported content-type "text\/plain"/);
    const invalid = await httpPost(port, echoPath, { 'content-type': 'application/json' }, '{"text": ');
    assert.equal(invalid.status, 400);
    assert.equal(JSON.parse(invalid.body).code, 'INVALID_ARGUMENT');
    assert.match(JSON.parse(invalid.body).message, /^invalid JSON request body: /);
    const get = await httpPost(port, echoPath, {}, '', 'GET');
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.match(JSON.parse(get.body).message, /method GET not allowed, use POST/);
  });

  it('a client that vanishes mid-stream: the handler sees CANCELLED, the server keeps serving', async () => {
    const { session, socket } = vanishingSession(port);
    const stream = session.request({
      ':method': 'POST',
      ':path': bidiPath,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    stream.on('error', () => {});
    stream.write(encodeEnvelope(request('first')));
    await once(stream, 'data'); // the call is live in both directions
    const aborted = bidiAborts.length;
    socket.destroy();
    for (let i = 0; i < 100 && bidiAborts.length === aborted; i++)
      await new Promise((r) => setTimeout(r, 10));
    const reason = bidiAborts[aborted] as { code?: unknown; rawMessage?: unknown } | undefined;
    assert.equal(reason?.code, Code.CANCELLED);
    assert.equal(reason?.rawMessage, 'call cancelled by the client');
    await stillServes();
  });

  it('a client that vanishes while the server streams out a lot', async () => {
    const { session, socket } = vanishingSession(port);
    const stream = session.request({
      ':method': 'POST',
      ':path': '/shoal.testing.v1.EchoService/EchoServerStream',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    stream.on('error', () => {});
    const big = toBinary(
      EchoRequestSchema,
      create(EchoRequestSchema, { repeat: 100_000, payload: new Uint8Array(1000) }),
    );
    stream.end(encodeEnvelope(big));
    await once(stream, 'data');
    socket.destroy();
    await stillServes();
  });

  it('garbage after the HTTP/2 preface is reported once as a session error; an empty socket is not', async () => {
    const before = reported.length;
    const garbage = net.connect(port, '127.0.0.1');
    garbage.on('error', () => {});
    garbage.resume(); // read the server's SETTINGS and GOAWAY, so 'close' can come
    garbage.end(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.alloc(64, 0xee)]));
    await once(garbage, 'close');
    const silent = net.connect(port, '127.0.0.1');
    silent.on('error', () => {});
    silent.destroy();
    await stillServes();
    // The peer's protocol error goes to onError (not thrown); nothing else does. node:http2
    // says ERR_HTTP2_ERROR; @shoal/http2 says what was wrong, with RFC 9113's code (the garbage
    // reads as a frame header announcing 15 MB).
    const found = reported.splice(before);
    assert.deepEqual(
      found.map(([where, error]) => [where, (error as NodeJS.ErrnoException).code]),
      [['http2 session', http2Transport === 'node-http2' ? 'ERR_HTTP2_ERROR' : ErrorCode.FRAME_SIZE_ERROR]],
    );
  });

  it('nothing escaped as an uncaught exception or an error report', () => {
    assert.deepEqual(uncaught, []);
    assert.deepEqual(
      reported.map(([where, error]) => `${where}: ${String(error)}`),
      [],
    );
  });
});
