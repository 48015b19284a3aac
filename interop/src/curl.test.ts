// Triple's HTTP mode against the interop TestService, with the real curl binary over HTTP/1.1 and
// JSON: what a person at a terminal sees, errors included.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createTestServer } from './server/test-service.js';

const run = promisify(execFile);

interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

describe('interop: curl (HTTP/1.1, JSON) → Shoal server', () => {
  const server = createTestServer();
  let base: string;
  before(async () => {
    const { port } = await server.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}/grpc.testing.TestService`;
  });
  after(() => server.close(1000));

  /** POSTs `body` with curl; `-i` puts the status line and headers before the body. */
  async function curl(method: string, body: string, extra: string[] = []): Promise<CurlResult> {
    const args = ['-sS', '-i', '--http1.1', '-H', 'content-type: application/json', ...extra];
    const { stdout } = await run('curl', [...args, '-d', body, `${base}/${method}`], { timeout: 10_000 });
    const split = stdout.indexOf('\r\n\r\n');
    const [statusLine = '', ...lines] = stdout.slice(0, split).split('\r\n');
    assert.match(statusLine, /^HTTP\/1\.1 \d{3}/, `curl printed: ${stdout}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { status: Number(statusLine.split(' ')[1]), headers, body: stdout.slice(split + 4) };
  }

  it('UnaryCall answers JSON, with echoed metadata as a header', async () => {
    const res = await curl('UnaryCall', '{"responseSize": 3}', ['-H', 'x-grpc-test-echo-initial: from-curl']);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(res.headers['x-grpc-test-echo-initial'], 'from-curl');
    assert.deepEqual(JSON.parse(res.body), { payload: { body: 'AAAA' } }); // 3 zero bytes, base64
  });

  it('EmptyCall with an empty body, and the one-element array form of Triple', async () => {
    assert.deepEqual(JSON.parse((await curl('EmptyCall', '')).body), {});
    const res = await curl('UnaryCall', '[{"responseSize": 2}]');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { payload: { body: 'AAA=' } });
  });

  it('a requested status comes back as the mapped HTTP status with a JSON error', async () => {
    const res = await curl('UnaryCall', '{"responseStatus": {"code": 5, "message": "no such thing"}}');
    assert.equal(res.status, 404);
    assert.deepEqual(JSON.parse(res.body), { status: 5, code: 'NOT_FOUND', message: 'no such thing' });
  });

  it('bad requests: invalid JSON is 400, a streaming method is 501, an unknown method is 501', async () => {
    const invalid = await curl('UnaryCall', '{"responseSize": ');
    assert.equal(invalid.status, 400);
    assert.equal(JSON.parse(invalid.body).code, 'INVALID_ARGUMENT');
    assert.match(JSON.parse(invalid.body).message, /invalid JSON/);
    const streaming = await curl('FullDuplexCall', '{}');
    assert.equal(streaming.status, 501);
    assert.match(JSON.parse(streaming.body).message, /streaming method/);
    const unknown = await curl('UnimplementedCall', '{}');
    assert.equal(unknown.status, 501);
    assert.deepEqual(JSON.parse(unknown.body), {
      status: 12,
      code: 'UNIMPLEMENTED',
      message: 'method not found: /grpc.testing.TestService/UnimplementedCall',
    });
  });
});
