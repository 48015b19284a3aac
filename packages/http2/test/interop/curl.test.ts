// Interop with curl (libcurl with nghttp2): h2c with prior knowledge, and TLS with ALPN h2.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { echoServers, run } from './interop-support.js';

describe('interop: curl -> our server', () => {
  const servers = echoServers();

  it('curl --http2-prior-knowledge: GET, and POST of 300 KiB echoed', async () => {
    const get = await run('curl', [
      '-sS',
      '--http2-prior-knowledge',
      '-D',
      '-',
      '-H',
      'x-echo: curl',
      `http://127.0.0.1:${servers.plainPort()}/from-curl`,
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
      [
        '-sS',
        '--http2-prior-knowledge',
        '--data-binary',
        '@-',
        `http://127.0.0.1:${servers.plainPort()}/post`,
      ],
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
      `${servers.certs().dir}/ca.pem`,
      '-w',
      '%{http_version}',
      `https://localhost:${servers.tlsPort()}/tls`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'hello /tls2');
  });
});
