// Triple with dubbo-js (@apachedubbo/dubbo and @apachedubbo/dubbo-node from npm, in peers/dubbo-js:
// they are built on protobuf-es 1, so they run there as child processes): a Shoal client against a
// dubbo-js server and a dubbo-js client against a Shoal server, unary and server streaming, Triple's
// service version and group, timeouts, and errors mapped both ways. Dubbo Java and Go cannot be
// installed here: their wire format is checked from the Triple spec with hand-made HTTP requests
// (the JSON and application/proto HTTP mode, Triple-Timeout-Ms, the single-element array body).

import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { toBinary } from '@bufbuild/protobuf';
import { Code, createClient, createServer, GrpcTransport, RpcError, type Server } from '@shoal/rpc';
import { DetailService, GetItemRequestSchema } from '../gen/org/apache/dubbo/samples/shop_pb.js';

const PEER = fileURLToPath(new URL('../../../peers/dubbo-js/', import.meta.url));
const SEEN = [
  'tri-service-version',
  'tri-service-group',
  'tri-service-timeout',
  'triple-timeout-ms',
  'grpc-timeout',
  'content-type',
  'x-user',
];

/** Shoal's DetailService, as the dubbo-js server's: two copies (plain, and 1.0.0/gold), the same failures. */
function shoalServer(): Server {
  const server = createServer();
  const impl = (name: string) => ({
    async getItem(
      req: { username: string; sku: bigint },
      ctx: { requestHeader: { get(k: string): unknown } },
    ) {
      if (req.username === 'missing') throw new RpcError(Code.NOT_FOUND, `no item ${req.sku}`);
      if (req.username === 'slow') await new Promise((r) => setTimeout(r, 1500));
      const headers: Record<string, string> = {};
      for (const h of SEEN) {
        const v = ctx.requestHeader.get(h);
        if (typeof v === 'string') headers[h] = v;
      }
      return { server: name, headers };
    },
    async *watchItem() {
      for (let i = 0; i < 3; i++) yield { server: name };
    },
  });
  server.register(DetailService, impl('shoal') as never);
  server.register(DetailService, impl('shoal-gold') as never, { version: '1.0.0', group: 'gold' });
  return server;
}

function dubboJsClient(
  baseUrl: string,
  protocol: string,
  version?: string,
  group?: string,
): Promise<Record<string, { ok?: unknown; code?: string; message?: string }>> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['client.mjs', baseUrl, protocol, ...(version ? [version, group ?? ''] : [])],
      { cwd: PEER, timeout: 20_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    ),
  );
}

const code = (err: unknown) => Code[RpcError.from(err).code];

describe('Triple with dubbo-js', () => {
  let peer: ChildProcess;
  let peerPort = 0;
  let shoal: Server;
  let shoalPort = 0;

  before(async () => {
    peer = spawn(process.execPath, ['server.mjs'], { cwd: PEER, stdio: ['ignore', 'pipe', 'pipe'] });
    peerPort = await new Promise<number>((resolve, reject) => {
      let out = '';
      peer.stdout!.on('data', (c) => {
        out += c;
        const line = out.split('\n')[0];
        if (out.includes('\n')) resolve((JSON.parse(line!) as { port: number }).port);
      });
      peer.once('exit', (c) => reject(new Error(`dubbo-js server exited ${c}`)));
    });
    shoal = shoalServer();
    shoalPort = (await shoal.listen(0, '127.0.0.1')).port;
  });

  after(async () => {
    peer?.kill('SIGTERM');
    await shoal?.close(100);
  });

  describe('a Shoal client against a dubbo-js server', () => {
    const client = (protocol: 'grpc' | 'triple') =>
      createClient(DetailService, new GrpcTransport({ address: `127.0.0.1:${peerPort}`, protocol }));

    for (const protocol of ['triple', 'grpc'] as const) {
      it(`unary and server streaming (${protocol})`, async () => {
        const c = client(protocol);
        const r = await c.getItem({ sku: 1n, username: 'a' }, { headers: { 'x-user': 'alice' } });
        assert.equal(r.server, 'dubbo-js');
        assert.equal(r.headers['x-user'], 'alice');
        const streamed: string[] = [];
        for await (const m of c.watchItem({ sku: 1n, username: 'a' })) streamed.push(m.server);
        assert.deepEqual(streamed, ['dubbo-js', 'dubbo-js', 'dubbo-js']);
      });
    }

    it('tri-service-version and tri-service-group choose the copy; an unknown one is UNIMPLEMENTED', async () => {
      const c = client('triple');
      const r = await c.getItem({ sku: 1n, username: 'a' }, { version: '1.0.0', group: 'gold' });
      assert.equal(r.server, 'dubbo-js-gold');
      assert.equal(r.headers['tri-service-version'], '1.0.0');
      assert.equal(r.headers['tri-service-group'], 'gold');
      await assert.rejects(
        c.getItem({ sku: 1n, username: 'a' }, { version: '9.9.9' }),
        (e) => code(e) === 'UNIMPLEMENTED',
      );
    });

    it('errors and deadlines come back as their codes', async () => {
      const c = client('triple');
      await assert.rejects(
        c.getItem({ sku: 8n, username: 'missing' }),
        (e) => code(e) === 'NOT_FOUND' && /no item 8/.test(RpcError.from(e).message),
      );
      await assert.rejects(
        c.getItem({ sku: 9n, username: 'slow' }, { timeoutMs: 300 }),
        (e) => code(e) === 'DEADLINE_EXCEEDED',
      );
      const r = await c.getItem({ sku: 1n, username: 'a' }, { timeoutMs: 5000 });
      assert.ok(Number(r.headers['grpc-timeout']?.replace(/[a-zA-Z]$/, '')) > 0, JSON.stringify(r.headers));
      const streamed: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const m of c.watchItem({ sku: 1n, username: 'missing' })) streamed.push(m.server);
        })(),
        (e) => code(e) === 'DATA_LOSS',
      );
      assert.equal(streamed.length, 3, 'the messages before the error arrive');
    });
  });

  describe('a dubbo-js client against a Shoal server', () => {
    for (const protocol of ['triple', 'triple-http1', 'grpc']) {
      it(`unary, version/group, errors, streaming (${protocol})`, async () => {
        const base = `http://127.0.0.1:${shoalPort}`;
        const r = await dubboJsClient(base, protocol);
        assert.deepEqual((r.unary!.ok as { server: string }).server, 'shoal');
        assert.equal((r.unary!.ok as { headers: Record<string, string> }).headers['x-user'], 'alice');
        assert.deepEqual(r.notFound, { code: 'NotFound', message: 'no item 8' });
        assert.equal(r.deadline!.code, 'DeadlineExceeded');
        if (protocol === 'grpc') assert.deepEqual(r.stream!.ok, ['shoal', 'shoal', 'shoal']);
        else {
          // dubbo-js streams Triple with Connect's streaming protocol (application/connect+proto),
          // which Dubbo Java's Triple does not use (it streams gRPC's framing) and Shoal does not
          // speak: Shoal answers 415, and dubbo-js streams to Shoal with its gRPC transport.
          assert.deepEqual(r.stream, { code: 'Internal', message: 'HTTP 415' });
        }
        const gold = await dubboJsClient(base, protocol, '1.0.0', 'gold');
        const ok = gold.unary!.ok as { server: string; headers: Record<string, string> };
        if (protocol === 'grpc') {
          // dubbo-js's gRPC transport sends no Triple headers: the plain copy answers.
          assert.equal(ok.server, 'shoal');
        } else {
          assert.equal(ok.server, 'shoal-gold');
          assert.equal(ok.headers['tri-service-version'], '1.0.0');
          assert.equal(ok.headers['tri-service-group'], 'gold');
        }
      });
    }
  });

  describe("Dubbo Java's and Go's Triple HTTP mode, from the spec", () => {
    const post = (path: string, headers: Record<string, string>, body: Buffer | string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: shoalPort, method: 'POST', path, headers },
          (res) => {
            let data = '';
            res.setEncoding('latin1');
            res.on('data', (c) => (data += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const path = '/org.apache.dubbo.samples.DetailService/getItem';

    it('application/json with the single-element array body and the TRI-* headers Dubbo Java sends', async () => {
      const r = await post(
        path,
        { 'Content-Type': 'application/json', 'TRI-Service-Version': '1.0.0', 'TRI-Service-Group': 'gold' },
        '[{"sku":"5","username":"java"}]',
      );
      assert.equal(r.status, 200, r.body);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal((JSON.parse(r.body) as { server: string }).server, 'shoal-gold');
    });

    it('application/proto bodies, and the timeout as Triple-Timeout-Ms and tri-service-timeout', async () => {
      const body = Buffer.from(
        toBinary(GetItemRequestSchema, {
          $typeName: 'org.apache.dubbo.samples.GetItemRequest',
          sku: 5n,
          username: 'go',
        }),
      );
      const ok = await post(path, { 'content-type': 'application/proto', 'Triple-Timeout-Ms': '5000' }, body);
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['content-type'], 'application/proto');
      assert.ok(Buffer.from(ok.body, 'latin1').includes(Buffer.from('shoal')));
      for (const header of ['Triple-Timeout-Ms', 'tri-service-timeout']) {
        const slow = Buffer.from(
          toBinary(GetItemRequestSchema, {
            $typeName: 'org.apache.dubbo.samples.GetItemRequest',
            sku: 5n,
            username: 'slow',
          }),
        );
        const r = await post(path, { 'content-type': 'application/proto', [header]: '200' }, slow);
        assert.equal(r.status, 504, `${header}: ${r.status} ${r.body}`);
        assert.match(r.body, /deadline/i);
      }
    });

    it('a failure as its HTTP status and a JSON error', async () => {
      const r = await post(path, { 'content-type': 'application/json' }, '{"sku":"8","username":"missing"}');
      assert.equal(r.status, 404);
      assert.match(r.body, /no item 8/);
    });
  });
});
