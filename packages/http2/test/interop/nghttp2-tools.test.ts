// Interop with nghttp2's own tools: nghttp (client) and h2load (load generator) against our
// server, and nghttpd as a server for our client, h2c and TLS.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Daemon, freePort, makeTestCertificates, type TestCertificates } from '@shoal/testing';
import { connect } from '../../src/index.js';
import { call, echoServer, run } from './interop-support.js';

describe('interop: nghttp and h2load -> our server', () => {
  const server = echoServer();
  let port = 0;
  before(async () => {
    port = (await server.listen(0)).port;
  });
  after(() => server.close(100));

  it('nghttp: a request with a body, and the frames it saw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-nghttp-'));
    const file = join(dir, 'body');
    writeFileSync(file, Buffer.alloc(100_000, 'n'));
    const r = await run('nghttp', [
      '-v',
      '-d',
      file,
      '-H',
      'x-echo: nghttp',
      `http://127.0.0.1:${port}/nghttp`,
    ]);
    const log = r.stdout.toString();
    assert.equal(r.code, 0, r.stderr);
    assert.match(log, /recv \(stream_id=\d+\) :status: 200/);
    assert.match(log, /recv \(stream_id=\d+\) x-echoed: nghttp/);
    assert.match(log, /recv \(stream_id=\d+\) x-trailer: done/);
    assert.match(log, /recv SETTINGS frame <length=\d+, flags=0x00, stream_id=0>/);
    assert.ok(log.includes('n'.repeat(1000)));
  });

  it('h2load: 5,000 requests on 4 connections, 10 streams each, all answered 2xx', async () => {
    const r = await run('h2load', ['-n5000', '-c4', '-m10', '-t1', `http://127.0.0.1:${port}/load`], {
      timeoutMs: 60_000,
    });
    const out = r.stdout.toString();
    assert.equal(r.code, 0, r.stderr);
    assert.match(out, /requests: 5000 total, 5000 started, 5000 done, 5000 succeeded, 0 failed, 0 errored/);
    assert.match(out, /status codes: 5000 2xx/);
  });
});

describe('interop: our client -> nghttpd', () => {
  let certs: TestCertificates;
  let htdocs = '';
  let plain: Daemon;
  let secure: Daemon;
  let plainPort = 0;
  let tlsPort = 0;
  before(async () => {
    certs = makeTestCertificates();
    htdocs = mkdtempSync(join(tmpdir(), 'shoal-nghttpd-'));
    writeFileSync(join(htdocs, 'index.html'), 'served by nghttpd');
    writeFileSync(join(htdocs, 'big.bin'), Buffer.alloc(2 * 1024 * 1024, 'q'));
    plainPort = await freePort();
    plain = await Daemon.start({
      command: 'nghttpd',
      args: [
        '--no-tls',
        '-a',
        '127.0.0.1',
        '-d',
        htdocs,
        '--echo-upload',
        '--trailer',
        'x-from: nghttpd',
        String(plainPort),
      ],
      ports: [plainPort],
    });
    tlsPort = await freePort();
    secure = await Daemon.start({
      command: 'nghttpd',
      args: [
        '-a',
        '127.0.0.1',
        '-d',
        htdocs,
        String(tlsPort),
        join(certs.dir, 'server.key'),
        join(certs.dir, 'server.pem'),
      ],
      ports: [tlsPort],
    });
  });
  after(async () => {
    await plain?.stop();
    await secure?.stop();
  });

  it('h2c: a file, 2 MiB through flow control, 20 at once, an upload echoed', async () => {
    const connection = connect({ host: '127.0.0.1', port: plainPort });
    const index = await call(connection, { path: '/index.html' });
    assert.equal(index.status, 200);
    assert.equal(index.body.toString(), 'served by nghttpd');
    assert.equal(index.trailers?.['x-from'], 'nghttpd');
    const big = await call(connection, { path: '/big.bin' });
    assert.equal(big.body.length, 2 * 1024 * 1024);
    const many = await Promise.all(
      Array.from({ length: 20 }, () => call(connection, { path: '/index.html' })),
    );
    assert.ok(many.every((r) => r.body.toString() === 'served by nghttpd'));
    const upload = Buffer.alloc(500_000, 'u');
    const echoed = await call(connection, { path: '/upload', method: 'PUT', body: upload });
    assert.ok(echoed.body.equals(upload));
    const missing = await call(connection, { path: '/nope' });
    assert.equal(missing.status, 404);
    connection.close();
  });

  it('TLS with ALPN h2', async () => {
    const connection = connect({ host: 'localhost', port: tlsPort, tls: { ca: certs.ca } });
    const index = await call(connection, { path: '/index.html', scheme: 'https' });
    assert.equal(index.body.toString(), 'served by nghttpd');
    connection.close();
  });
});
