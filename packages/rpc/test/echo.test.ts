// End to end: a Shoal server and a Shoal client over real HTTP/2, every call kind and the
// protocol's edges (status, metadata, deadlines, cancellation, compression, limits, versions).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRegistry } from '@bufbuild/protobuf';
import { DurationSchema } from '@bufbuild/protobuf/wkt';
import { createClient } from '../src/client/create-client.js';
import { GrpcTransport } from '../src/client/transport.js';
import { Code } from '../src/code.js';
import { Metadata } from '../src/metadata.js';
import { RpcError } from '../src/rpc-error.js';
import { Server } from '../src/server/server.js';
import { echoImpl } from './echo-impl.js';
import { EchoService } from './gen/shoal/testing/v1/echo_pb.js';
import { httpPost } from './http-post.js';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function rejectsWith(promise: Promise<unknown>, code: Code, message?: RegExp): Promise<RpcError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof RpcError, `expected RpcError, got ${err}`);
    assert.equal(err.code, code, `expected ${Code[code]}, got ${err.message}`);
    if (message) assert.match(err.rawMessage, message);
    return err;
  }
  assert.fail(`expected ${Code[code]}, but the call succeeded`);
}

describe('rpc end to end', () => {
  const server = new Server({ maxReceiveMessageBytes: 64 * 1024 });
  server.register(EchoService, echoImpl());
  server.register(EchoService, echoImpl('v2'), { version: 'v2' });
  let transport: GrpcTransport;
  let client: ReturnType<typeof createClient<typeof EchoService>>;

  before(async () => {
    const { port } = await server.listen(0);
    transport = new GrpcTransport({ address: `127.0.0.1:${port}` });
    client = createClient(EchoService, transport);
  });
  after(async () => {
    transport.close();
    await server.close(1000);
  });

  it('unary, with response headers and trailers', async () => {
    let header: Metadata | undefined;
    let trailer: Metadata | undefined;
    const res = await client.echo(
      { text: 'hi' },
      {
        headers: { 'x-user': 'ann', 'x-bin-bin': new Uint8Array([1, 2]) },
        onHeader: (h) => (header = h),
        onTrailer: (t) => (trailer = t),
      },
    );
    assert.equal(res.text, 'hi');
    assert.equal(res.headers['x-user'], 'ann');
    assert.equal(res.headers['x-bin-bin'], Buffer.from([1, 2]).toString('base64'));
    assert.equal(header?.get('x-served-by'), 'default');
    assert.equal(trailer?.get('x-trailer'), 'done');
  });

  it('server streaming, client streaming and bidi', async () => {
    const streamed = await collect(client.echoServerStream({ text: 's', repeat: 5 }));
    assert.deepEqual(
      streamed.map((r) => r.index),
      [0, 1, 2, 3, 4],
    );
    const joined = await client.echoClientStream(from([{ text: 'a' }, { text: 'b' }, { text: 'c' }]));
    assert.equal(joined.text, 'a,b,c');
    assert.equal(joined.index, 3);
    const bidi = await collect(client.echoBidi(from([{ text: 'x' }, { text: 'y' }])));
    assert.deepEqual(
      bidi.map((r) => r.text),
      ['x', 'y'],
    );
    assert.deepEqual(await collect(client.echoServerStream({ repeat: 0 })), []);
  });

  it('carries status codes, messages and trailers of errors', async () => {
    const message = 'failure with unicode ☺ and 100% \n newline';
    const err = await rejectsWith(
      client.echo({ failCode: Code.FAILED_PRECONDITION, failMessage: message }),
      Code.FAILED_PRECONDITION,
    );
    assert.equal(err.rawMessage, message);
    await rejectsWith(
      collect(client.echoServerStream({ repeat: 2, failCode: Code.NOT_FOUND })),
      Code.NOT_FOUND,
    );
  });

  it('enforces deadlines on both sides', async () => {
    await rejectsWith(client.echo({ delayMs: 2000 }, { timeoutMs: 50 }), Code.DEADLINE_EXCEEDED);
    const res = await client.echo({ text: 'in time' }, { timeoutMs: 5000 });
    assert.equal(res.text, 'in time');
  });

  it('cancels with an AbortSignal', async () => {
    const controller = new AbortController();
    const pending = client.echo({ delayMs: 2000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await rejectsWith(pending, Code.CANCELLED);
  });

  it('compresses requests with gzip', async () => {
    const payload = new Uint8Array(20_000).fill(7);
    const res = await client.echo({ payload }, { compression: 'gzip' });
    assert.equal(res.payload.byteLength, payload.byteLength);
  });

  it('rejects oversized messages with RESOURCE_EXHAUSTED and keeps serving', async () => {
    await rejectsWith(
      client.echo({ payload: new Uint8Array(100_000) }),
      Code.RESOURCE_EXHAUSTED,
      /larger than max/,
    );
    assert.equal((await client.echo({ text: 'after' })).text, 'after');
  });

  it('routes by Triple service version', async () => {
    assert.equal((await client.echo({}, { version: 'v2' })).version, 'v2');
    assert.equal((await client.echo({})).version, '');
    await rejectsWith(client.echo({}, { version: 'v9' }), Code.UNIMPLEMENTED, /no provider for version "v9"/);
  });

  it('answers UNAVAILABLE when nothing listens', async () => {
    const dead = createClient(EchoService, '127.0.0.1:1');
    await rejectsWith(dead.echo({}), Code.UNAVAILABLE);
  });

  it('refuses a header value no HTTP header can carry before the call, and keeps serving', async () => {
    await assert.rejects(
      client.echo({}, { headers: { 'x-bad': 'line\nbreak' } }),
      /metadata "x-bad": a text value/,
    );
    assert.throws(() => new Metadata().append('x-bad', 'a\rb'), /may not hold NUL, CR, LF/);
    assert.throws(() => new Metadata({ 'x-bad': 'snow \u2603' }), /over U\+00FF/);
    assert.equal((await client.echo({ text: 'after' }, { headers: { 'x-ok': 'tab\tand é' } })).text, 'after');
  });

  it('passes binary metadata and rejects bad keys early', () => {
    assert.throws(() => new Metadata().set('bad key', 'x'), /must match/);
    assert.throws(() => new Metadata().set('x-bin', 'text'), /-bin/);
  });
});

/** POSTs `body` as JSON over HTTP/1.1 (Triple's HTTP mode); the answer's body parsed. */
async function postJson(
  port: number,
  path: string,
  body: string,
): Promise<{ status: number; json: unknown }> {
  const res = await httpPost(port, path, { 'content-type': 'application/json' }, body);
  return { status: res.status, json: JSON.parse(res.body) };
}

describe("Triple's HTTP mode reads google.protobuf.Any with the server's jsonRegistry", () => {
  const path = '/shoal.testing.v1.EchoService/Echo';
  const detail = { '@type': 'type.googleapis.com/google.protobuf.Duration', value: '1.500s' };
  const servers: Server[] = [];
  const start = async (server: Server) => {
    servers.push(server.register(EchoService, echoImpl()));
    return (await server.listen(0, '127.0.0.1')).port;
  };
  after(() => Promise.all(servers.map((s) => s.close())));

  it('in the request and the response, as gRPC+JSON does', async () => {
    const port = await start(new Server({ jsonRegistry: createRegistry(DurationSchema) }));
    const res = await postJson(port, path, JSON.stringify({ text: 'any', detail }));
    assert.equal(res.status, 200);
    assert.deepEqual((res.json as { detail?: unknown }).detail, detail);
    const array = await postJson(port, path, JSON.stringify([{ text: 'any', detail }]));
    assert.deepEqual((array.json as { detail?: unknown }).detail, detail);
  });

  it('without the type in the registry: 400 INVALID_ARGUMENT naming the message', async () => {
    const port = await start(new Server());
    const res = await postJson(port, path, JSON.stringify({ text: 'any', detail }));
    assert.equal(res.status, 400);
    const error = res.json as { code: string; message: string };
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, /^cannot decode shoal\.testing\.v1\.EchoRequest from JSON: /);
  });
});
