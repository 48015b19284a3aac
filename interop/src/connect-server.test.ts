// gRPC interop, one direction: Shoal's client runs every test case against a connect-node server
// (connect-node's gRPC protocol on node:http2), on Shoal's HTTP/2 (and on node:http2 when npm test
// runs this suite again with SHOAL_RPC_TRANSPORT=node-http2).

import { after, before, describe, it } from 'node:test';
import { shoalStub } from './client/shoal-stub.js';
import type { InteropStub } from './client/stub.js';
import { runTestCase, testCaseNames } from './client/test-cases.js';
import { startConnectServer } from './peers/connect-server.js';
import type { PeerServer } from './peers/grpc-js-server.js';

describe('interop: Shoal client → connect-node server', () => {
  let peer: PeerServer;
  let stub: InteropStub;
  before(async () => {
    peer = await startConnectServer();
    stub = shoalStub({ address: `127.0.0.1:${peer.port}` });
  });
  after(async () => {
    stub.close();
    await peer.close();
  });

  for (const name of testCaseNames) it(name, { timeout: 10_000 }, () => runTestCase(stub, name));
});
