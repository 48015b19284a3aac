// The connection's addresses as a server interceptor and a handler see them, for gRPC, Triple's
// HTTP mode over HTTP/1.1 and HTTP/2, and a dual-stack listener (IPv4 peers as ::ffff:a.b.c.d).

import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { echoImpl } from '../../test/echo-impl.js';
import { EchoService } from '../../test/gen/shoal/testing/v1/echo_pb.js';
import { httpPost } from '../../test/http-post.js';
import { createClient } from '../client/create-client.js';
import { SessionPool } from '../client/session-pool.js';
import { GrpcTransport } from '../client/transport.js';
import type { CallAddresses } from '../handler-context.js';
import type { Interceptor } from '../interceptor.js';
import { callAddresses } from './call-addresses.js';
import { Server } from './server.js';

interface Seen {
  addresses: CallAddresses | undefined;
  peer: string | undefined;
  /** Whether a copy of the request ({ ...request }) still carries the context. */
  copied: boolean;
}

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function serverSeeing(host: string): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const record: Interceptor = (next) => (request) => {
    const copy = { ...request };
    seen.push({
      addresses: request.context?.addresses,
      peer: request.context?.peer,
      copied: copy.context === request.context && copy.context !== undefined,
    });
    return next(copy);
  };
  const server = new Server({ interceptors: [record] });
  server.register(EchoService, echoImpl());
  const { port } = await server.listen(0, host);
  stops.push(() => server.close(200));
  return { port, seen };
}

function grpcEcho(port: number, host = '127.0.0.1') {
  const pool = new SessionPool();
  stops.push(() => pool.close());
  return createClient(EchoService, new GrpcTransport({ address: `${host}:${port}`, pool }));
}

/** A Triple HTTP-mode call: POST JSON over HTTP/1.1 or HTTP/2. */
async function httpEcho(port: number, version: 1 | 2): Promise<{ status: number; body: string }> {
  const path = '/shoal.testing.v1.EchoService/Echo';
  const body = JSON.stringify({ text: 'hi' });
  if (version === 1) return httpPost(port, path, { 'content-type': 'application/json' }, body);
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    return await new Promise((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/json',
      });
      let status = 0;
      let text = '';
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (c) => (text += c));
      stream.on('end', () => resolve({ status, body: text }));
      stream.on('error', reject);
      stream.end(body);
    });
  } finally {
    session.close();
  }
}

describe('call addresses on the server', () => {
  it('gives interceptors and handlers the peer and local address of a gRPC call', async () => {
    const { port, seen } = await serverSeeing('127.0.0.1');
    const reply = await grpcEcho(port).echo({ text: 'x' });
    assert.equal(seen.length, 1);
    const s = seen[0]!;
    assert.equal(s.copied, true);
    assert.equal(s.addresses?.remoteIp, '127.0.0.1');
    assert.equal(s.addresses?.localIp, '127.0.0.1');
    assert.equal(s.addresses?.localPort, port);
    assert.ok(s.addresses!.remotePort > 0 && s.addresses!.remotePort !== port);
    // The handler's peer is the same connection's remote end.
    assert.equal(s.peer, `127.0.0.1:${s.addresses!.remotePort}`);
    assert.equal(reply.peer, s.peer);
  });

  it('gives the addresses of HTTP-mode calls over HTTP/1.1 and HTTP/2', async () => {
    const { port, seen } = await serverSeeing('127.0.0.1');
    for (const version of [1, 2] as const) {
      const res = await httpEcho(port, version);
      assert.equal(res.status, 200, res.body);
      const reply = JSON.parse(res.body) as { peer: string };
      const s = seen.at(-1)!;
      assert.equal(s.addresses?.remoteIp, '127.0.0.1', `HTTP/${version}`);
      assert.equal(s.addresses?.localPort, port);
      assert.equal(reply.peer, `127.0.0.1:${s.addresses!.remotePort}`, `HTTP/${version}`);
    }
  });

  it('reports an IPv4 caller of a dual-stack listener as node does: ::ffff:127.0.0.1', async () => {
    const { port, seen } = await serverSeeing('::');
    await grpcEcho(port).echo({});
    assert.equal(seen[0]?.addresses?.remoteIp, '::ffff:127.0.0.1');
    assert.equal(seen[0]?.addresses?.localIp, '::ffff:127.0.0.1');
    assert.equal(seen[0]?.addresses?.localPort, port);
  });

  it('has no addresses for a socket that is not IP or is gone', async () => {
    assert.equal(callAddresses(undefined), undefined);
    const closed = new net.Socket();
    assert.equal(callAddresses(closed), undefined, 'never connected');
    // node:http2's socket proxy throws once its session is destroyed.
    const server = http2.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise((r) => server.close(r)));
    const session = http2.connect(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    await new Promise((r) => session.once('connect', r));
    const socket = session.socket;
    assert.equal(callAddresses(socket)?.remoteIp, '127.0.0.1');
    session.destroy();
    assert.equal(callAddresses(socket), undefined, 'destroyed session');
  });
});
