import assert from 'node:assert/strict';
import type http from 'node:http';
import { describe, it } from 'node:test';
import { AdminGuard, isLoopback } from './admin-guard.js';
import { HttpError } from './http-json.js';

/** The parts of a request the guard reads. */
function request(
  method: string,
  headers: Record<string, string>,
  remoteAddress = '127.0.0.1',
): http.IncomingMessage {
  return { method, headers, socket: { remoteAddress } } as unknown as http.IncomingMessage;
}

function refusal(guard: AdminGuard, req: http.IncomingMessage): HttpError | undefined {
  try {
    guard.check(req);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof HttpError);
    return err;
  }
}

describe('AdminGuard', () => {
  const guard = new AdminGuard({ token: 'secret-token', hostNames: ['admin.example.com'] });
  guard.bound('127.0.0.1', 15000);
  const host = '127.0.0.1:15000';
  const auth = { authorization: 'Bearer secret-token' };

  it('lets a loopback read through without a token, by any loopback name', () => {
    for (const h of [host, 'localhost:15000', '[::1]:15000', 'admin.example.com:15000'])
      assert.equal(refusal(guard, request('GET', { host: h })), undefined, h);
  });

  it('refuses a Host that is not the admin address (DNS rebinding)', () => {
    const err = refusal(guard, request('GET', { host: 'evil.example:15000' }));
    assert.equal(err?.status, 403);
    assert.match(err!.message, /Host "evil.example:15000" is not this admin API/);
    assert.equal(refusal(guard, request('GET', {}))?.status, 403);
    assert.equal(refusal(guard, request('GET', { host: '127.0.0.1:15001' }))?.status, 403);
  });

  it('refuses another Origin, even with the token, and accepts its own', () => {
    for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:15001', 'file://x']) {
      const err = refusal(
        guard,
        request('POST', { host, origin, ...auth, 'content-type': 'application/yaml', 'content-length': '3' }),
      );
      assert.equal(err?.status, 403, origin);
      assert.match(err!.message, /cross-origin request refused/);
    }
    const same = request('POST', {
      host,
      origin: 'http://localhost:15000',
      ...auth,
      'content-type': 'application/json',
      'content-length': '2',
    });
    assert.equal(refusal(guard, same), undefined);
  });

  it('needs the bearer token for every write, whatever the endpoint', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const err = refusal(guard, request(method, { host }));
      assert.equal(err?.status, 401, method);
      assert.equal(err?.headers?.['www-authenticate'], 'Bearer realm="shoal-admin"');
    }
    const wrong = refusal(guard, request('DELETE', { host, authorization: 'Bearer secret-tokeN' }));
    assert.match(wrong!.message, /the admin token is wrong/);
    assert.equal(refusal(guard, request('DELETE', { host, ...auth })), undefined);
  });

  it('needs the token for reads from another machine', () => {
    const err = refusal(guard, request('GET', { host }, '10.1.2.3'));
    assert.equal(err?.status, 401);
    assert.match(err!.message, /reads from another machine need the admin token/);
    assert.equal(refusal(guard, request('GET', { host, ...auth }, '10.1.2.3')), undefined);
    assert.equal(refusal(guard, request('GET', { host }, '::ffff:127.0.0.1')), undefined);
  });

  it('accepts only JSON and YAML bodies', () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ]) {
      const headers = { host, ...auth, 'content-length': '5', ...(type && { 'content-type': type }) };
      const err = refusal(guard, request('POST', headers));
      assert.equal(err?.status, 415, type);
      assert.match(err!.message, /send application\/json or application\/yaml/);
    }
    for (const type of [
      'application/json; charset=utf-8',
      'application/yaml',
      'text/yaml',
      'application/x-yaml',
    ])
      assert.equal(
        refusal(guard, request('POST', { host, ...auth, 'content-length': '5', 'content-type': type })),
        undefined,
      );
  });

  it('answers to every local address when bound to a wildcard', () => {
    const wide = new AdminGuard({ token: 't' });
    wide.bound('0.0.0.0', 8443);
    assert.equal(refusal(wide, request('GET', { host: 'localhost:8443' })), undefined);
    assert.equal(refusal(wide, request('GET', { host: 'evil.example:8443' }))?.status, 403);
  });

  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(a), a);
    for (const a of ['10.0.0.1', '0.0.0.0', '::', '192.168.1.1', '']) assert.ok(!isLoopback(a), a);
  });
});
