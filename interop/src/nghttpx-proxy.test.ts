// gRPC through an HTTP/2 proxy nobody here wrote: Shoal's client → nghttpx (Debian's
// nghttp2-proxy, HTTP/2 on both sides) → Shoal's server, every interop test case, so trailers,
// resets, deadlines and metadata survive a proxy in between on Shoal's HTTP/2 (and on node:http2
// when npm test runs this suite again with SHOAL_RPC_TRANSPORT=node-http2).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Daemon } from '@shoal/testing';
import { shoalStub } from './client/shoal-stub.js';
import type { InteropStub } from './client/stub.js';
import { runTestCase, testCaseNames } from './client/test-cases.js';
import { startNghttpx } from './proxies/nghttpx.js';
import { createTestServer } from './server/test-service.js';

describe('interop: Shoal client → nghttpx → Shoal server', () => {
  const errors: unknown[] = [];
  const server = createTestServer({ onError: (error) => errors.push(error) });
  let proxy: Daemon | undefined;
  let stub: InteropStub;
  before(async () => {
    const { port } = await server.listen(0, '127.0.0.1');
    proxy = await startNghttpx({ backendPort: port });
    stub = shoalStub({ address: `127.0.0.1:${proxy.ports[0]}` });
  });
  after(async () => {
    stub?.close();
    await proxy?.stop();
    await server.close(500);
  });

  for (const name of testCaseNames) it(name, { timeout: 10_000 }, () => runTestCase(stub, name));

  it('the server reported no errors of its own', () => assert.deepEqual(errors, []));
});
