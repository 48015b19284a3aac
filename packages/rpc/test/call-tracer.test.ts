// Call tracers (gRFC A66's CallTracer hooks): the client attempt and the server call are told the
// compressed size of every message (without the 5-byte prefix), the response headers and the
// status, once. A client's call-tracer factory (ClientOptions.callTracer) writes request headers
// and its tracer is ended once per call. The server side is also driven by @grpc/grpc-js.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import type { ClientAttemptTracer, ClientCallTracerFactory, ServerCallTracer } from '../src/call-tracer.js';
import { createClient } from '../src/client/create-client.js';
import { GrpcTransport } from '../src/client/transport.js';
import { Code } from '../src/code.js';
import type { Interceptor } from '../src/interceptor.js';
import type { Metadata } from '../src/metadata.js';
import type { RpcError } from '../src/rpc-error.js';
import { Server } from '../src/server/server.js';
import { echoImpl } from './echo-impl.js';
import { EchoRequestSchema, EchoResponseSchema, EchoService } from './gen/shoal/testing/v1/echo_pb.js';

interface Recorded {
  sent: number[];
  received: number[];
  header?: Metadata;
  ends: Array<{ code: Code }>;
  path?: string;
  registered?: boolean;
  /** Server side: the request header the client's call-tracer factory wrote. */
  traced?: string | undefined;
  destinations?: string[];
}

const recorder = (): Recorded => ({ sent: [], received: [], ends: [] });

describe('call tracers', () => {
  const serverCalls: Recorded[] = [];
  const server = new Server({
    callTracer: (path, context, registered): ServerCallTracer => {
      const r: Recorded = { ...recorder(), path, registered };
      r.traced = context.requestHeader.get('x-call-traced') as string | undefined;
      serverCalls.push(r);
      context.responseHeader.set('x-traced', 'yes');
      return {
        onMessageReceived: (n) => r.received.push(n),
        onMessageSent: (n) => r.sent.push(n),
        onEnd: (code) => r.ends.push({ code }),
      };
    },
  });
  server.register(EchoService, echoImpl());
  let address = '';
  let transport: GrpcTransport;
  const attempts: Recorded[] = [];
  const startAttempt = (): ClientAttemptTracer => {
    const r: Recorded = { ...recorder(), destinations: [] };
    attempts.push(r);
    return {
      onDestination: (d) => r.destinations!.push(d.endpoint),
      onHeader: (h) => (r.header = h),
      onMessageSent: (n) => r.sent.push(n),
      onMessageReceived: (n) => r.received.push(n),
      onEnd: (code) => r.ends.push({ code }),
    };
  };
  // An interceptor may still set a call's tracer itself.
  const tracing: Interceptor = (next) => (request) => next({ ...request, tracer: { startAttempt } });
  const calls: Array<{ method: string; ends: Code[] }> = [];
  const callTracer: ClientCallTracerFactory = (method, header) => {
    header.set('x-call-traced', method.name);
    const call = { method: method.name, ends: [] as Code[] };
    calls.push(call);
    return { startAttempt, onEnd: (code) => call.ends.push(code) };
  };

  before(async () => {
    const a = await server.listen(0, '127.0.0.1');
    address = `127.0.0.1:${a.port}`;
    transport = new GrpcTransport({ address });
  });
  after(async () => {
    transport.close();
    await server.close(0);
  });

  const reset = () => {
    serverCalls.length = 0;
    attempts.length = 0;
    calls.length = 0;
  };

  it('reports message sizes, headers and OK for a unary call, on both sides', async () => {
    reset();
    const client = createClient(EchoService, transport, { interceptors: [tracing] });
    const request = create(EchoRequestSchema, { text: 'sizes', payload: new Uint8Array(300) });
    const response = await client.echo(request);
    const requestBytes = toBinary(EchoRequestSchema, request).byteLength;
    const responseBytes = toBinary(EchoResponseSchema, response).byteLength;
    assert.equal(attempts.length, 1);
    const [a] = attempts;
    assert.deepEqual(a!.destinations, [address]);
    assert.deepEqual(a!.sent, [requestBytes]);
    assert.deepEqual(a!.received, [responseBytes]);
    assert.deepEqual(a!.ends, [{ code: Code.OK }]);
    assert.equal(a!.header?.get('x-traced'), 'yes');
    assert.equal(serverCalls.length, 1);
    const [s] = serverCalls;
    assert.equal(s!.path, '/shoal.testing.v1.EchoService/Echo');
    assert.deepEqual(s!.received, [requestBytes]);
    assert.deepEqual(s!.sent, [responseBytes]);
    assert.deepEqual(s!.ends, [{ code: Code.OK }]);
  });

  it('reports the compressed sizes when the request is compressed', async () => {
    reset();
    const client = createClient(EchoService, transport, { interceptors: [tracing] });
    const request = create(EchoRequestSchema, { text: 'z'.repeat(4000) });
    await client.echo(request, { compression: 'gzip' });
    const raw = toBinary(EchoRequestSchema, request).byteLength;
    const sent = attempts[0]!.sent[0]!;
    assert.ok(sent > 0 && sent < raw / 10, `compressed ${sent} of ${raw} bytes`);
    assert.deepEqual(serverCalls[0]!.received, [sent]);
  });

  it('reports an error status once, with a server stream counted message by message', async () => {
    reset();
    const client = createClient(EchoService, transport, { callTracer });
    await assert.rejects(client.echo({ failCode: Code.NOT_FOUND, failMessage: 'no' }), (e: RpcError) => {
      assert.equal(e.code, Code.NOT_FOUND);
      return true;
    });
    assert.deepEqual(attempts[0]!.ends, [{ code: Code.NOT_FOUND }]);
    assert.deepEqual(serverCalls[0]!.ends, [{ code: Code.NOT_FOUND }]);
    reset();
    const got: unknown[] = [];
    for await (const m of client.echoServerStream({ text: 's', repeat: 3 })) got.push(m);
    assert.equal(got.length, 3);
    assert.equal(attempts[0]!.received.length, 3);
    assert.deepEqual(attempts[0]!.ends, [{ code: Code.OK }]);
    assert.equal(serverCalls[0]!.sent.length, 3);
  });

  it('tells the server tracer of calls from grpc-js, and of unknown methods', async () => {
    reset();
    const ctor = grpc.makeGenericClientConstructor({}, 'Echo');
    const peer = new ctor(address, grpc.credentials.createInsecure());
    const call = (path: string) =>
      new Promise<Buffer>((resolve, reject) =>
        peer.makeUnaryRequest(
          path,
          (m: unknown) => Buffer.from(toBinary(EchoRequestSchema, m as never)),
          (b: Buffer) => b,
          create(EchoRequestSchema, { text: 'from grpc-js' }),
          (err, res) => (err ? reject(err) : resolve(res as Buffer)),
        ),
      );
    const reply = await call('/shoal.testing.v1.EchoService/Echo');
    assert.deepEqual(serverCalls[0]!.sent, [reply.byteLength]);
    assert.deepEqual(serverCalls[0]!.ends, [{ code: Code.OK }]);
    await assert.rejects(call('/shoal.testing.v1.EchoService/Nope'), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.UNIMPLEMENTED);
      return true;
    });
    assert.equal(serverCalls[1]!.path, '/shoal.testing.v1.EchoService/Nope');
    assert.deepEqual(serverCalls[1]!.ends, [{ code: Code.UNIMPLEMENTED }]);
    assert.equal(serverCalls[1]!.registered, false);
    assert.equal(serverCalls[0]!.registered, true);
    peer.close();
  });

  it('ends the attempt UNAVAILABLE when nothing listens', async () => {
    reset();
    const dead = new GrpcTransport({ address: '127.0.0.1:1' });
    const client = createClient(EchoService, dead, { callTracer });
    await assert.rejects(client.echo({ text: 'x' }), (e: RpcError) => e.code === Code.UNAVAILABLE);
    assert.deepEqual(attempts[0]!.ends, [{ code: Code.UNAVAILABLE }]);
    assert.deepEqual(calls[0]!.ends, [Code.UNAVAILABLE]);
    assert.deepEqual(attempts[0]!.sent.length <= 1, true);
    dead.close();
  });

  it("a client's call-tracer factory writes request headers, and its tracer ends once per call before the caller resumes", async () => {
    reset();
    const client = createClient(EchoService, transport, { callTracer, interceptors: [] });
    await client.echo({ text: 'one' });
    assert.deepEqual(calls, [{ method: 'Echo', ends: [Code.OK] }]);
    assert.equal(serverCalls[0]!.traced, 'Echo');
    assert.deepEqual(attempts[0]!.ends, [{ code: Code.OK }]);
    reset();
    await assert.rejects(client.echo({ failCode: Code.NOT_FOUND, failMessage: 'no' }));
    assert.deepEqual(calls[0]!.ends, [Code.NOT_FOUND]);
    // A stream's call starts on the first read and ends with its stream, or when abandoned.
    reset();
    const stream = client.echoServerStream({ text: 's', repeat: 3 });
    assert.equal(calls.length, 0);
    let read = 0;
    for await (const _ of stream) read++;
    assert.equal(read, 3);
    assert.deepEqual(calls[0]!.ends, [Code.OK]);
    assert.equal(serverCalls[0]!.traced, 'EchoServerStream');
    reset();
    for await (const _ of client.echoServerStream({ text: 's', repeat: 3 })) break;
    assert.deepEqual(calls[0]!.ends, [Code.CANCELLED]);
  });
});
