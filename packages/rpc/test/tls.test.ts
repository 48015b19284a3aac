// TLS on the same API as plaintext: h2 chosen by ALPN for gRPC (our client and grpc-js), and
// HTTP/1.1 JSON over TLS on the same port (curl), with the certificate verified against a CA.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { makeTestCertificates, type TestCertificates } from '@shoal/testing';
import { createClient } from '../src/client/create-client.js';
import { GrpcTransport } from '../src/client/transport.js';
import { Code } from '../src/code.js';
import { RpcError } from '../src/rpc-error.js';
import { Server } from '../src/server/server.js';
import { echoImpl } from './echo-impl.js';
import { EchoService } from './gen/shoal/testing/v1/echo_pb.js';

const run = promisify(execFile);

describe('TLS', () => {
  let certs: TestCertificates;
  let server: Server;
  let port = 0;

  before(async () => {
    certs = makeTestCertificates();
    server = new Server({ tls: { key: certs.key, cert: certs.cert } });
    server.register(EchoService, echoImpl());
    port = (await server.listen(0)).port;
  });
  after(() => server.close(500));

  it('serves gRPC over h2 to a client that trusts the CA', async () => {
    const transport = new GrpcTransport({ address: `127.0.0.1:${port}`, tls: { ca: certs.ca } });
    const client = createClient(EchoService, transport);
    assert.equal((await client.echo({ text: 'secure' })).text, 'secure');
    transport.close();
  });

  it('is refused by a client that does not trust the certificate', async () => {
    const transport = new GrpcTransport({ address: `127.0.0.1:${port}`, tls: {} });
    await assert.rejects(createClient(EchoService, transport).echo({}), (err: unknown) => {
      assert.ok(err instanceof RpcError);
      assert.equal(err.code, Code.UNAVAILABLE);
      assert.match(err.rawMessage, /certificate/i);
      return true;
    });
    transport.close();
  });

  it('serves a grpc-js client with TLS credentials', async () => {
    const ctor = grpc.makeGenericClientConstructor({}, 'Echo');
    const peer = new ctor(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(certs.ca)));
    const { EchoRequestSchema, EchoResponseSchema } = await import('./gen/shoal/testing/v1/echo_pb.js');
    const { create, fromBinary, toBinary } = await import('@bufbuild/protobuf');
    const reply = await new Promise<Buffer>((resolve, reject) =>
      peer.makeUnaryRequest(
        '/shoal.testing.v1.EchoService/Echo',
        (m: unknown) => Buffer.from(toBinary(EchoRequestSchema, m as never)),
        (b: Buffer) => b,
        create(EchoRequestSchema, { text: 'grpc-js' }),
        (err, res) => (err ? reject(err) : resolve(res as Buffer)),
      ),
    );
    assert.equal(fromBinary(EchoResponseSchema, reply).text, 'grpc-js');
    peer.close();
  });

  it('answers HTTP/1.1 JSON over TLS on the same port', async () => {
    const { stdout } = await run('curl', [
      '-sS',
      '--http1.1',
      '--cacert',
      join(certs.dir, 'ca.pem'),
      '-H',
      'content-type: application/json',
      '-d',
      '{"text":"tls-curl"}',
      `https://127.0.0.1:${port}/shoal.testing.v1.EchoService/Echo`,
    ]);
    assert.equal(JSON.parse(stdout).text, 'tls-curl');
  });
});
