// Shoal apps unchanged behind real HTTP/2 proxies, one hop and two (the shape of a sidecar path):
// a Shoal client and a Shoal server talk through the proxies, which no one here wrote. Run for
// nghttpx (behind-nghttpx.test.ts) and nginx with grpc_pass (behind-nginx.test.ts). Nothing here
// depends on the HTTP/2 implementation under @shoal/rpc: the transports are the defaults.
// Covered: the whole gRPC interop case list; Triple's JSON mode over HTTP/1.1 (Shoal's
// HttpTransport, curl) and HTTP/2 (curl, and gRPC+JSON); deadlines and cancellation reaching the
// server; trailers-only errors on the wire (nghttp -v); messages near the 4 MiB limit; long
// streams; keepalive through the proxy.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  type Client,
  Code,
  createClient,
  createServer,
  GrpcTransport,
  HttpTransport,
  RpcError,
  type Server,
  type ServerOptions,
} from '@shoal/rpc';
import { tempDir } from '@shoal/testing';
import { shoalStub } from '../client/shoal-stub.js';
import type { InteropStub } from '../client/stub.js';
import { runTestCase, testCaseNames } from '../client/test-cases.js';
import { SimpleRequestSchema } from '../gen/grpc/testing/messages_pb.js';
import { TestService } from '../gen/grpc/testing/test_pb.js';
import { testServiceImpl } from '../server/test-service.js';
import { type ProxyChain, type ProxyKind, startChain } from './proxy-chain.js';

const run = promisify(execFile);
const SERVICE = 'grpc.testing.TestService';

/** What the server saw of each StreamingOutputCall: the deadline it was given and whether it was cancelled. */
interface SeenCall {
  timeoutMs: number | undefined;
  aborted: Promise<void>;
  abortedAt?: number;
}

/** The interop TestService, recording what reaches the server's StreamingOutputCall handler. */
function observedServer(options: ServerOptions = {}): { server: Server; seen: SeenCall[] } {
  const seen: SeenCall[] = [];
  const impl = testServiceImpl();
  const server = createServer(options).register(TestService, {
    ...impl,
    streamingOutputCall(request, context) {
      const call: SeenCall = {
        timeoutMs: context.deadline === undefined ? undefined : context.deadline - Date.now(),
        aborted: new Promise((resolve) =>
          context.signal.addEventListener('abort', () => {
            call.abortedAt = Date.now();
            resolve();
          }),
        ),
      };
      seen.push(call);
      return impl.streamingOutputCall(request, context);
    },
  });
  return { server, seen };
}

async function count(stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of stream) n++;
  return n;
}

async function codeOf(call: () => Promise<unknown>): Promise<Code | 'OK'> {
  try {
    await call();
    return 'OK';
  } catch (err) {
    return err instanceof RpcError ? err.code : Code.UNKNOWN;
  }
}

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** A streaming call whose only response comes after `quietMs`: nothing crosses the connection meanwhile. */
const quietStream = (quietMs: number) => ({ responseParameters: [{ size: 8, intervalUs: quietMs * 1000 }] });

/** POSTs a JSON body with curl over HTTP/1.1 or HTTP/2 (prior knowledge), as a person would. */
async function postJson(
  version: '--http1.1' | '--http2-prior-knowledge',
  url: string,
  body: string,
): Promise<{ status: number; headers: string; body: string }> {
  const args = [version, '-H', 'content-type: application/json', '-d', body, url];
  const { stdout } = await run('curl', ['-sS', '-i', ...args], { timeout: 10_000 });
  const split = stdout.indexOf('\r\n\r\n');
  const head = stdout.slice(0, split);
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: stdout.slice(split + 4) };
}

export function describeBehindProxies(kind: ProxyKind, hops: 1 | 2): void {
  describe(`Shoal client → ${kind} × ${hops} → Shoal server`, () => {
    const { server, seen } = observedServer();
    let serverPort = 0;
    let chain: ProxyChain;
    let stub: InteropStub;
    let address = '';
    let test: Client<typeof TestService>;
    const transports: GrpcTransport[] = [];
    const clientFor = (options: Omit<ConstructorParameters<typeof GrpcTransport>[0], 'address'> = {}) => {
      const transport = new GrpcTransport({ address, ...options });
      transports.push(transport);
      return createClient(TestService, transport);
    };

    before(async () => {
      serverPort = (await server.listen(0, '127.0.0.1')).port;
      chain = await startChain(kind, hops, serverPort);
      address = `127.0.0.1:${chain.h2Port}`;
      stub = shoalStub({ address });
      test = clientFor();
    });
    after(async () => {
      stub?.close();
      for (const t of transports) t.close();
      await chain?.close();
      await server.close(500);
    });

    describe('the gRPC interop test cases', () => {
      for (const name of testCaseNames) it(name, { timeout: 10_000 }, () => runTestCase(stub, name));
    });

    describe("Triple's JSON mode", () => {
      it('HTTP/1.1: Shoal HttpTransport and curl get JSON answers, and errors as HTTP statuses', async () => {
        const transport = new HttpTransport({ address: `127.0.0.1:${chain.http1Port}` });
        try {
          const client = createClient(TestService, transport);
          const res = await client.unaryCall(
            { responseSize: 5 },
            { headers: { 'x-grpc-test-echo-initial': 'h1' } },
          );
          assert.equal(res.payload?.body.byteLength, 5);
          const err = await codeOf(() =>
            client.unaryCall({ responseStatus: { code: Code.NOT_FOUND, message: 'gone' } }),
          );
          assert.equal(err, Code.NOT_FOUND);
        } finally {
          transport.close();
        }
        const url = `http://127.0.0.1:${chain.http1Port}/${SERVICE}/UnaryCall`;
        const ok = await postJson('--http1.1', url, '{"responseSize":3}');
        assert.equal(ok.status, 200);
        assert.deepEqual(JSON.parse(ok.body), { payload: { body: 'AAAA' } });
        const bad = await postJson('--http1.1', url, '{"responseStatus":{"code":5,"message":"gone"}}');
        assert.equal(bad.status, 404);
        assert.deepEqual(JSON.parse(bad.body), { status: 5, code: 'NOT_FOUND', message: 'gone' });
      });

      it('HTTP/2: curl (prior knowledge) with plain JSON, and Shoal with gRPC+JSON framing', async () => {
        const url = `http://127.0.0.1:${chain.h2Port}/${SERVICE}/UnaryCall`;
        const ok = await postJson('--http2-prior-knowledge', url, '{"responseSize":3}');
        assert.equal(ok.status, 200);
        assert.match(ok.headers, /content-type: application\/json/);
        assert.deepEqual(JSON.parse(ok.body), { payload: { body: 'AAAA' } });
        const bad = await postJson(
          '--http2-prior-knowledge',
          url,
          '{"responseStatus":{"code":7,"message":"no"}}',
        );
        assert.equal(bad.status, 403);
        const json = clientFor({ codec: 'json' });
        assert.equal((await json.unaryCall({ responseSize: 7 })).payload?.body.byteLength, 7);
        const n = await count(
          json.streamingOutputCall({ responseParameters: [{ size: 1 }, { size: 2 }, { size: 3 }] }),
        );
        assert.equal(n, 3);
      });
    });

    describe('deadlines and cancellation reach the server', () => {
      it("a 300 ms deadline: the client gets DEADLINE_EXCEEDED on time and the server's handler is cancelled", async () => {
        const before = seen.length;
        const started = Date.now();
        const code = await codeOf(() =>
          count(test.streamingOutputCall(quietStream(5000), { timeoutMs: 300 })),
        );
        assert.equal(code, Code.DEADLINE_EXCEEDED);
        assert.ok(Date.now() - started < 2000, `ended after ${Date.now() - started} ms`);
        const call = seen[before];
        assert.ok(call, 'the call reached the server');
        assert.ok(
          call.timeoutMs !== undefined && call.timeoutMs > 0 && call.timeoutMs <= 300,
          `server saw ${call.timeoutMs} ms`,
        );
        await within(2000, 'server-side cancellation', call.aborted);
      });

      it('a client that cancels after the first response cancels the server handler', async () => {
        const before = seen.length;
        const controller = new AbortController();
        const stream = test.streamingOutputCall(
          { responseParameters: [{ size: 1 }, { size: 1, intervalUs: 5_000_000 }] },
          { signal: controller.signal },
        );
        const code = await codeOf(async () => {
          for await (const _ of stream) controller.abort();
        });
        assert.equal(code, Code.CANCELLED);
        await within(2000, 'server-side cancellation', seen[before]!.aborted);
      });
    });

    it('an error before any response stays trailers-only on the wire (nghttp -v) and reaches the client whole', async () => {
      const message = toBinary(
        SimpleRequestSchema,
        create(SimpleRequestSchema, { responseStatus: { code: 5, message: 'no such thing' } }),
      );
      const framed = Buffer.alloc(5 + message.length);
      framed.writeUInt32BE(message.length, 1);
      framed.set(message, 5);
      const dir = tempDir('trailers-only');
      const body = join(dir, 'request.bin');
      writeFileSync(body, framed);
      const { stdout } = await run(
        'nghttp',
        [
          '-v',
          '-H',
          'content-type: application/grpc',
          '-H',
          'te: trailers',
          '-d',
          body,
          `http://${address}/${SERVICE}/UnaryCall`,
        ],
        { timeout: 10_000 },
      );
      const frames = stdout
        .split('\n')
        .filter((l) => /recv (HEADERS|DATA) frame/.test(l) && !/stream_id=0\b/.test(l));
      assert.equal(frames.length, 1, `one frame back, got:\n${frames.join('\n')}`);
      assert.match(frames[0]!, /recv HEADERS frame <.*flags=0x05/); // END_STREAM | END_HEADERS
      assert.match(stdout, /grpc-status: 5/);
      assert.match(stdout, /grpc-message: no such thing/);
      let headerSeen = false;
      const err = await test
        .unaryCall(
          { responseStatus: { code: Code.NOT_FOUND, message: 'no such thing' } },
          { onHeader: () => (headerSeen = true) },
        )
        .catch((e: unknown) => e);
      assert.ok(err instanceof RpcError);
      assert.equal(err.code, Code.NOT_FOUND);
      assert.equal(err.rawMessage, 'no such thing');
      void headerSeen;
    });

    describe('large messages and long streams', () => {
      it('unary with 3 MB each way; 1 MB messages streamed each way', async () => {
        const res = await test.unaryCall({
          responseSize: 3_500_000,
          payload: { body: new Uint8Array(3_000_000) },
        });
        assert.equal(res.payload?.body.byteLength, 3_500_000);
        const out = await count(
          test.streamingOutputCall({
            responseParameters: Array.from({ length: 6 }, () => ({ size: 1_000_000 })),
          }),
        );
        assert.equal(out, 6);
        async function* big() {
          for (let i = 0; i < 6; i++) yield { payload: { body: new Uint8Array(1_000_000) } };
        }
        assert.equal((await test.streamingInputCall(big())).aggregatedPayloadSize, 6_000_000);
      });

      it('2,000 messages down, 2,000 up, and 300 ping-pong round trips on one stream', async () => {
        const down = await count(
          test.streamingOutputCall({
            responseParameters: Array.from({ length: 2000 }, () => ({ size: 16 })),
          }),
        );
        assert.equal(down, 2000);
        async function* up() {
          for (let i = 0; i < 2000; i++) yield { payload: { body: new Uint8Array(16) } };
        }
        assert.equal((await test.streamingInputCall(up())).aggregatedPayloadSize, 32_000);
        let next: (() => void) | undefined;
        let sent = 0;
        async function* pings() {
          while (sent < 300) {
            sent++;
            yield { responseParameters: [{ size: 4 }], payload: { body: new Uint8Array(4) } };
            await new Promise<void>((resolve) => {
              next = resolve;
            });
          }
        }
        let answered = 0;
        for await (const _ of test.fullDuplexCall(pings())) {
          answered++;
          next?.();
        }
        assert.equal(answered, 300);
      });
    });

    describe('keepalive through the proxy', () => {
      // The client's sidecar drops a connection idle for 1 s (no stream open); a quiet call keeps
      // its stream open, and then only keepalive pings cross the client's connection.
      let idle: ProxyChain;
      let idleAddress = '';
      before(async () => {
        idle = await startChain(kind, hops, serverPort, { clientSideIdleTimeout: 1 });
        idleAddress = `127.0.0.1:${idle.h2Port}`;
      });
      after(() => idle?.close());

      it("a call quiet for 2.5 s survives the client's keepalive: the proxy answers every ping within 1 s", async () => {
        const transport = new GrpcTransport({
          address: idleAddress,
          keepalive: { timeMs: 250, timeoutMs: 1000 },
        });
        transports.push(transport);
        const client = createClient(TestService, transport);
        assert.equal(await count(client.streamingOutputCall(quietStream(2500))), 1);
      });

      it('after the proxy closes an idle connection, the next call reconnects', async () => {
        const transport = new GrpcTransport({ address: idleAddress });
        transports.push(transport);
        const client = createClient(TestService, transport);
        await client.emptyCall({});
        await new Promise((r) => setTimeout(r, 1800));
        await client.emptyCall({});
      });

      it("the server's keepalive pings are answered by the proxy during a quiet call", async () => {
        const { server: pinging } = observedServer({ keepalive: { timeMs: 250, timeoutMs: 1000 } });
        const port = (await pinging.listen(0, '127.0.0.1')).port;
        const direct = await startChain(kind, hops, port);
        const transport = new GrpcTransport({ address: `127.0.0.1:${direct.h2Port}` });
        try {
          const client = createClient(TestService, transport);
          assert.equal(await count(client.streamingOutputCall(quietStream(1500))), 1);
        } finally {
          transport.close();
          await direct.close();
          await pinging.close(500);
        }
      });
    });
  });
}
