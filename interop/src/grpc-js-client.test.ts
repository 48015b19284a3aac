// gRPC interop, the other direction: @grpc/grpc-js's client runs every test case against Shoal's server.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InteropStub } from './client/stub.js';
import { runTestCase, testCaseNames } from './client/test-cases.js';
import { grpcJsStub } from './peers/grpc-js-stub.js';
import { createTestServer } from './server/test-service.js';

describe('interop: grpc-js client → Shoal server', () => {
  const errors: unknown[] = [];
  const server = createTestServer({ onError: (error) => errors.push(error) });
  let stub: InteropStub;
  before(async () => {
    const { port } = await server.listen(0, '127.0.0.1');
    stub = grpcJsStub(`127.0.0.1:${port}`);
  });
  after(async () => {
    stub.close();
    await server.close(100); // grpc-js keeps its idle connections a while after close()
  });

  for (const name of testCaseNames) it(name, { timeout: 10_000 }, () => runTestCase(stub, name));

  it('the server reported no errors of its own', () => assert.deepEqual(errors, []));
});
