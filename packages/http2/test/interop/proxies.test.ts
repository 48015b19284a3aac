// HTTP/2 proxies in between, nobody's code here: nghttpx (HTTP/2 on both sides) between our
// client and our server, and h2o (HTTP/2 to clients, HTTP/1.1 upstream in Debian's 2.2)
// between our client and a node:http server.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Daemon, freePort } from '@shoal/testing';
import { connect } from '../../src/index.js';
import { call, echoServer, run } from './interop-support.js';

describe('interop: our client -> nghttpx -> our server', () => {
  const server = echoServer();
  let proxy: Daemon;
  let proxyPort = 0;
  before(async () => {
    const { port } = await server.listen(0);
    proxyPort = await freePort();
    proxy = await Daemon.start({
      command: 'nghttpx',
      args: [
        `-f127.0.0.1,${proxyPort};no-tls`,
        `-b127.0.0.1,${port};;proto=h2`,
        '-n1',
        '--no-ocsp',
        '-L',
        'WARN',
        '--conf=/dev/null',
      ],
      ports: [proxyPort],
    });
  });
  after(async () => {
    await proxy?.stop();
    await server.close(100);
  });

  it('requests, headers, trailers and a MiB each way pass through', async () => {
    const connection = connect({ host: '127.0.0.1', port: proxyPort });
    const rs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(connection, { path: `/p${i}`, headers: { 'x-echo': 'via nghttpx' } }),
      ),
    );
    rs.forEach((r, i) => {
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), `hello /p${i}`);
      assert.equal(r.headers['x-echoed'], 'via nghttpx');
      assert.equal(r.trailers?.['x-trailer'], 'done');
    });
    const body = Buffer.alloc(1024 * 1024, 'x');
    const echoed = await call(connection, { path: '/big', body });
    assert.ok(echoed.body.equals(body));
    connection.close();
  });

  it('curl -> nghttpx -> our server', async () => {
    const r = await run('curl', ['-sS', '--http2-prior-knowledge', `http://127.0.0.1:${proxyPort}/curl`]);
    assert.equal(r.stdout.toString(), 'hello /curl');
  });
});

describe('interop: our client -> h2o -> node:http', () => {
  let proxy: Daemon;
  let proxyPort = 0;
  const upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': String(req.headers['x-echo'] ?? '') });
      res.end(chunks.length ? Buffer.concat(chunks) : `upstream ${req.url} over HTTP/${req.httpVersion}`);
    });
  });
  before(async () => {
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const upstreamPort = (upstream.address() as { port: number }).port;
    proxyPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'shoal-h2o-'));
    const conf = join(dir, 'h2o.conf');
    writeFileSync(
      conf,
      [
        'listen:',
        `  port: ${proxyPort}`,
        '  host: 127.0.0.1',
        'hosts:',
        '  default:',
        '    paths:',
        '      /:',
        `        proxy.reverse.url: http://127.0.0.1:${upstreamPort}/`,
        `error-log: ${join(dir, 'error.log')}`,
        'num-threads: 1',
        '',
      ].join('\n'),
    );
    proxy = await Daemon.start({ command: 'h2o', args: ['-c', conf], ports: [proxyPort], cwd: dir, dir });
  });
  after(async () => {
    await proxy?.stop();
    await new Promise((r) => upstream.close(r));
  });

  it('requests and a 512 KiB upload pass through', async () => {
    const connection = connect({ host: '127.0.0.1', port: proxyPort });
    const rs = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(connection, { path: `/h${i}`, headers: { 'x-echo': 'via h2o' } }),
      ),
    );
    rs.forEach((r, i) => {
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), `upstream /h${i} over HTTP/1.1`);
      assert.equal(r.headers['x-upstream'], 'via h2o');
    });
    const body = Buffer.alloc(512 * 1024, 'h');
    const echoed = await call(connection, { path: '/upload', body });
    assert.ok(echoed.body.equals(body));
    connection.close();
  });
});
