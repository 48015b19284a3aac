// Interop with node:http2 (nghttp2 inside), both directions, h2c and TLS: many concurrent
// streams, bodies of a MiB each way (flow control on both sides), headers and trailers.

import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { makeTestCertificates, type TestCertificates } from '@shoal/testing';
import { connect } from '../../src/index.js';
import { call, echoServers } from './interop-support.js';

const big = Buffer.alloc(1024 * 1024);
for (let i = 0; i < big.length; i++) big[i] = i % 251;

/** A node:http2 request; resolves with status, body and trailers. */
function nodeCall(session: http2.ClientHttp2Session, path: string, body?: Buffer) {
  return new Promise<{ status: number; body: Buffer; echoed: unknown; trailers: http2.IncomingHttpHeaders }>(
    (resolve, reject) => {
      const req = session.request({ ':method': body ? 'POST' : 'GET', ':path': path, 'x-echo': 'node' });
      const chunks: Buffer[] = [];
      let status = 0;
      let echoed: unknown;
      let trailers: http2.IncomingHttpHeaders = {};
      req.on('response', (h) => {
        status = h[':status'] ?? 0;
        echoed = h['x-echoed'];
      });
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('trailers', (t) => (trailers = t));
      req.on('error', reject);
      req.on('close', () => resolve({ status, body: Buffer.concat(chunks), echoed, trailers }));
      req.end(body);
    },
  );
}

describe('interop: node:http2 client -> our server', () => {
  const servers = echoServers();

  it('h2c: 50 concurrent streams, then a MiB each way', async () => {
    const session = http2.connect(`http://127.0.0.1:${servers.plainPort()}`);
    const small = await Promise.all(Array.from({ length: 50 }, (_, i) => nodeCall(session, `/s${i}`)));
    small.forEach((r, i) => {
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), `hello /s${i}`);
      assert.equal(r.echoed, 'node');
      assert.equal(r.trailers['x-trailer'], 'done');
    });
    const echoed = await nodeCall(session, '/big', big);
    assert.ok(echoed.body.equals(big));
    session.close();
  });

  it('TLS with ALPN h2', async () => {
    const session = http2.connect(`https://localhost:${servers.tlsPort()}`, { ca: servers.certs().ca });
    const r = await nodeCall(session, '/tls', Buffer.from('over tls'));
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'over tls');
    assert.equal(session.alpnProtocol, 'h2');
    session.close();
  });
});

describe('interop: our client -> node:http2 server', () => {
  let certs: TestCertificates;
  let plainPort = 0;
  let tlsPort = 0;
  const handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => {
      stream.respond(
        { ':status': 201, 'x-echoed': String(headers['x-echo'] ?? '') },
        { waitForTrailers: true },
      );
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-trailer': 'from node' }));
      stream.end(chunks.length > 0 ? Buffer.concat(chunks) : `hi ${headers[':path']}`);
    });
  };
  const plain = http2.createServer();
  let secure: http2.Http2SecureServer;
  before(async () => {
    certs = makeTestCertificates();
    plain.on('stream', handler);
    secure = http2.createSecureServer({ key: certs.key, cert: certs.cert });
    secure.on('stream', handler);
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
    plainPort = (plain.address() as { port: number }).port;
    tlsPort = (secure.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise((r) => plain.close(r));
    await new Promise((r) => secure.close(r));
  });

  it('h2c: 50 concurrent streams, then a MiB each way', async () => {
    const connection = connect({ host: '127.0.0.1', port: plainPort });
    const rs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(connection, { path: `/c${i}`, headers: { 'x-echo': 'ours' } }),
      ),
    );
    rs.forEach((r, i) => {
      assert.equal(r.status, 201);
      assert.equal(r.body.toString(), `hi /c${i}`);
      assert.equal(r.headers['x-echoed'], 'ours');
      assert.equal(r.trailers?.['x-trailer'], 'from node');
    });
    const echoed = await call(connection, { path: '/big', body: big });
    assert.ok(echoed.body.equals(big));
    connection.close();
  });

  it('TLS with ALPN h2', async () => {
    const connection = connect({ host: 'localhost', port: tlsPort, tls: { ca: certs.ca } });
    const r = await call(connection, { path: '/tls', scheme: 'https', body: Buffer.from('secure') });
    assert.equal(r.body.toString(), 'secure');
    connection.close();
  });

  it('refuses a TLS server that does not choose h2', async () => {
    const https = await import('node:https');
    const h1 = https.createServer({ key: certs.key, cert: certs.cert }, (_req, res) => res.end('h1'));
    await new Promise<void>((r) => h1.listen(0, '127.0.0.1', r));
    const connection = connect({
      host: 'localhost',
      port: (h1.address() as { port: number }).port,
      tls: { ca: certs.ca },
    });
    await assert.rejects(
      call(connection, { scheme: 'https' }),
      /did not choose HTTP\/2|no application protocol/,
    );
    await new Promise((r) => h1.close(r));
  });
});
