// gRPC interop: connect-node's gRPC client (HTTP/2) runs every test case against Shoal's server.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InteropStub } from './client/stub.js';
import { runTestCase, testCaseNames } from './client/test-cases.js';
import { connectStub } from './peers/connect-stub.js';
import { createTestServer } from './server/test-service.js';

describe('interop: connect-node gRPC client → Shoal server', () => {
  const errors: unknown[] = [];
  const server = createTestServer({ onError: (error) => errors.push(error) });
  let stub: InteropStub;
  before(async () => {
    const { port } = await server.listen(0, '127.0.0.1');
    stub = connectStub(`http://127.0.0.1:${port}`);
  });
  after(async () => {
    stub.close();
    await server.close(1000);
  });

  for (const name of testCaseNames) it(name, { timeout: 10_000 }, () => runTestCase(stub, name));

  it('the server reported no errors of its own', () => assert.deepEqual(errors, []));
});
