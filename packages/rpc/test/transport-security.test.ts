// One port, a policy per connection: plaintext and mutual TLS side by side (PERMISSIVE), TLS only
// with client certificates required (STRICT, where plaintext calls get a status that says so),
// the client certificate visible to the call, and a certificate swapped between connections.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type tls from 'node:tls';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { makeClientCertificate, makeTestCertificates, type TestCertificates } from '@shoal/testing';
import { createClient } from '../src/client/create-client.js';
import { GrpcTransport } from '../src/client/transport.js';
import { Code } from '../src/code.js';
import type { CallSecurity } from '../src/handler-context.js';
import type { Interceptor } from '../src/interceptor.js';
import { RpcError } from '../src/rpc-error.js';
import { Server } from '../src/server/server.js';
import type { ConnectionPolicy } from '../src/server/transport-security.js';
import { echoImpl } from './echo-impl.js';
import { EchoService } from './gen/shoal/testing/v1/echo_pb.js';

const run = promisify(execFile);

describe('transport security per connection', () => {
  let certs: TestCertificates;
  let client: { key: string; cert: string };
  let stranger: { key: string; cert: string };
  let policy: ConnectionPolicy;
  let server: Server;
  let address = '';
  const seen: (CallSecurity | undefined)[] = [];
  const capture: Interceptor = (next) => (req) => {
    seen.push(req.context?.security);
    return next(req);
  };

  const mtls = (): ConnectionPolicy['tls'] => ({
    key: certs.key,
    cert: certs.cert,
    ca: certs.ca,
    requireCert: true,
  });
  const echo = async (options: ConstructorParameters<typeof GrpcTransport>[0]) => {
    const transport = new GrpcTransport(options);
    try {
      return await createClient(EchoService, transport).echo({ text: 'hi' });
    } finally {
      transport.close();
    }
  };

  before(async () => {
    certs = makeTestCertificates();
    client = makeClientCertificate(certs, 'client', 'spiffe://cluster.local/ns/default/sa/client');
    stranger = makeClientCertificate(certs, 'stranger', 'spiffe://cluster.local/ns/default/sa/client', true);
    policy = { plaintext: true, tls: mtls() };
    server = new Server({ transportSecurity: () => policy, interceptors: [capture] });
    server.register(EchoService, echoImpl());
    address = `127.0.0.1:${(await server.listen(0)).port}`;
  });
  after(() => server.close(200));

  it('PERMISSIVE: plaintext and mutual TLS on the same port, the client certificate seen by the call', async () => {
    seen.length = 0;
    assert.equal((await echo({ address })).text, 'hi');
    assert.equal(seen.pop(), undefined);
    const reply = await echo({
      address,
      tls: { ca: certs.ca, key: client.key, cert: client.cert, servername: 'localhost' },
    });
    assert.equal(reply.text, 'hi');
    const security = seen.pop();
    assert.equal(security?.authorized, true);
    assert.equal(security?.alpn, 'h2');
    assert.match(
      security?.peerCertificate?.subjectAltName ?? '',
      /URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/client/,
    );
  });

  it('STRICT: a plaintext grpc-js call is refused with a status that says why', async () => {
    policy = {
      plaintext: false,
      tls: mtls(),
      plaintextRefusal: 'mutual TLS is required (PeerAuthentication STRICT)',
    };
    const peer = new grpc.Client(address, grpc.credentials.createInsecure());
    try {
      const err = await new Promise<grpc.ServiceError>((resolve) =>
        peer.makeUnaryRequest(
          '/shoal.testing.v1.EchoService/Echo',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          (e) => resolve(e!),
        ),
      );
      assert.equal(err.code, grpc.status.UNAVAILABLE);
      assert.match(
        err.details,
        /plaintext connection refused: mutual TLS is required \(PeerAuthentication STRICT\)/,
      );
    } finally {
      peer.close();
    }
    await assert.rejects(echo({ address }), (err: unknown) => {
      assert.ok(err instanceof RpcError);
      assert.equal(err.code, Code.UNAVAILABLE);
      assert.match(err.rawMessage, /plaintext connection refused/);
      return true;
    });
    const { stdout } = await run('curl', [
      '-s',
      '-w',
      ' %{http_code}',
      '-H',
      'content-type: application/json',
      '-d',
      '{}',
      `http://${address}/shoal.testing.v1.EchoService/Echo`,
    ]);
    assert.match(stdout, /plaintext connection refused: mutual TLS is required.* 403$/s);
  });

  it('STRICT: TLS without a client certificate, or with one from another CA, makes no call and is told why', async () => {
    policy = { plaintext: false, tls: mtls() };
    seen.length = 0;
    for (const identity of [{}, { key: stranger.key, cert: stranger.cert }]) {
      await assert.rejects(
        echo({ address, tls: { ca: certs.ca, servername: 'localhost', ...identity } }),
        (err: unknown) => {
          assert.ok(err instanceof RpcError);
          assert.equal(err.code, Code.UNAVAILABLE);
          assert.match(
            err.rawMessage,
            /the client certificate was not accepted \(\w+.*\): mutual TLS with a certificate from this mesh's CA is required/,
          );
          return true;
        },
      );
    }
    assert.equal(seen.length, 0, 'no call reached the server');
    assert.equal(
      (
        await echo({
          address,
          tls: { ca: certs.ca, key: client.key, cert: client.cert, servername: 'localhost' },
        })
      ).text,
      'hi',
    );
  });

  it('takes a new certificate from the next connection on', async () => {
    const second = makeClientCertificate(certs, 'server2', 'spiffe://cluster.local/ns/default/sa/server2');
    let served: X509Certificate | undefined;
    const tlsOptions = () => ({
      ca: certs.ca,
      key: client.key,
      cert: client.cert,
      checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => {
        served = new X509Certificate(cert.raw);
        return undefined;
      },
    });
    policy = { plaintext: false, tls: mtls() };
    await echo({ address, tls: tlsOptions() });
    assert.match(served?.subjectAltName ?? '', /DNS:localhost/);
    policy = {
      plaintext: false,
      tls: { key: second.key, cert: second.cert, ca: certs.ca, requireCert: true },
    };
    await echo({ address, tls: tlsOptions() });
    assert.match(served?.subjectAltName ?? '', /sa\/server2/);
  });
});
