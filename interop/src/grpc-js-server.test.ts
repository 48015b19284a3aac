// gRPC interop, one direction: Shoal's client runs every test case against a @grpc/grpc-js server.

import { after, before, describe, it } from 'node:test';
import { shoalStub } from './client/shoal-stub.js';
import type { InteropStub } from './client/stub.js';
import { runTestCase, testCaseNames } from './client/test-cases.js';
import { type PeerServer, startGrpcJsServer } from './peers/grpc-js-server.js';

// grpc-js hides a request's encoding from its handlers, so it cannot answer the compression
// probe; client_compressed_unary_noprobe sends the same compressed and plain requests.
const cases = testCaseNames.filter((name) => name !== 'client_compressed_unary');

describe('interop: Shoal client → grpc-js server', () => {
  let peer: PeerServer;
  let stub: InteropStub;
  before(async () => {
    peer = await startGrpcJsServer();
    stub = shoalStub({ address: `127.0.0.1:${peer.port}` });
  });
  after(async () => {
    stub.close();
    await peer.close();
  });

  for (const name of cases) it(name, { timeout: 10_000 }, () => runTestCase(stub, name));
});
