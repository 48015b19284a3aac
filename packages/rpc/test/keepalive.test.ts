// Keepalive pings (gRFC A8) in both directions, observed by raw node:http2 peers: a Shoal server
// pings its connections every timeMs, and a Shoal client's session pool pings its server.

import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { describe, it } from 'node:test';
import { createClient } from '../src/client/create-client.js';
import { SessionPool } from '../src/client/session-pool.js';
import { GrpcTransport } from '../src/client/transport.js';
import { Server } from '../src/server/server.js';
import { echoImpl } from './echo-impl.js';
import { EchoService } from './gen/shoal/testing/v1/echo_pb.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('keepalive', () => {
  it('a server pings its connections every keepalive.timeMs', async () => {
    const server = new Server({ keepalive: { timeMs: 50, timeoutMs: 1000 } });
    server.register(EchoService, echoImpl());
    const { port } = await server.listen(0);
    const session = http2.connect(`http://127.0.0.1:${port}`);
    let pings = 0;
    session.on('ping', () => pings++);
    await wait(400);
    assert.ok(pings >= 3, `${pings} pings in 400 ms at a 50 ms keepalive`);
    assert.equal(session.destroyed, false);
    session.close();
    await server.close(200);
  });

  it("a client's session pool pings its server while calls are in flight", async () => {
    const raw = http2.createServer();
    let pings = 0;
    raw.on('session', (s) => s.on('ping', () => pings++));
    raw.on('stream', (stream) => {
      // A call that takes 400 ms, answered as gRPC with an empty EchoResponse.
      setTimeout(() => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
      }, 400);
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const port = (raw.address() as { port: number }).port;
    const pool = new SessionPool({ keepalive: { timeMs: 50, timeoutMs: 1000 } });
    const client = createClient(EchoService, new GrpcTransport({ address: `127.0.0.1:${port}`, pool }));
    await client.echo({});
    assert.ok(pings >= 3, `${pings} pings during a 400 ms call at a 50 ms keepalive`);
    pool.close();
    await new Promise((r) => raw.close(r));
  });
});
