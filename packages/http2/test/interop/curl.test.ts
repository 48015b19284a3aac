// Interop with curl (libcurl with nghttp2): h2c with prior knowledge, and TLS with ALPN h2.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeTestCertificates, type TestCertificates } from '../test-certificates.js';
import { echoServer, run } from './interop-support.js';

describe('interop: curl -> our server', () => {
  let certs: TestCertificates;
  const plain = echoServer();
  let secure: ReturnType<typeof echoServer>;
  let plainPort = 0;
  let tlsPort = 0;
  before(async () => {
    certs = makeTestCertificates();
    secure = echoServer({ key: certs.key, cert: certs.cert });
    plainPort = (await plain.listen(0)).port;
    tlsPort = (await secure.listen(0)).port;
  });
  after(async () => {
    await plain.close(100);
    await secure.close(100);
  });

  it('curl --http2-prior-knowledge: GET, and POST of 300 KiB echoed', async () => {
    const get = await run('curl', [
      '-sS',
      '--http2-prior-knowledge',
      '-D',
      '-',
      '-H',
      'x-echo: curl',
      `http://127.0.0.1:${plainPort}/from-curl`,
    ]);
    const text = get.stdout.toString();
    assert.equal(get.code, 0, get.stderr);
    assert.match(text, /^HTTP\/2 200/);
    assert.match(text, /x-echoed: curl/);
    assert.match(text, /\r\n\r\nhello \/from-curl/);
    assert.match(text, /x-trailer: done/);
    const body = Buffer.alloc(300 * 1024, 'z');
    const post = await run(
      'curl',
      ['-sS', '--http2-prior-knowledge', '--data-binary', '@-', `http://127.0.0.1:${plainPort}/post`],
      { input: body },
    );
    assert.equal(post.code, 0, post.stderr);
    assert.ok(post.stdout.equals(body));
  });

  it('curl over TLS negotiates h2 by ALPN', async () => {
    const r = await run('curl', [
      '-sS',
      '--http2',
      '--cacert',
      `${certs.dir}/ca.pem`,
      '-w',
      '%{http_version}',
      `https://localhost:${tlsPort}/tls`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'hello /tls2');
  });
});
