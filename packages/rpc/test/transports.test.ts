// The two HTTP/2 transports of @shoal/rpc side by side, chosen by option rather than by
// SHOAL_RPC_TRANSPORT: each client against each server, every call kind; and one port telling
// HTTP/2, HTTP/1.1 and a preface split into single bytes apart.

import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../src/client/create-client.js';
import { GrpcTransport } from '../src/client/transport.js';
import { Server } from '../src/server/server.js';
import type { Http2Transport } from '../src/wire.js';
import { echoImpl } from './echo-impl.js';
import { EchoService } from './gen/shoal/testing/v1/echo_pb.js';

const kinds: Http2Transport[] = ['shoal', 'node-http2'];

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('transports: shoal and node-http2, each way', () => {
  const servers = new Map<Http2Transport, { server: Server; port: number }>();
  before(async () => {
    for (const transport of kinds) {
      const server = new Server({ transport });
      server.register(EchoService, echoImpl());
      servers.set(transport, { server, port: (await server.listen(0)).port });
    }
  });
  after(async () => {
    for (const { server } of servers.values()) await server.close(500);
  });

  for (const serverKind of kinds) {
    for (const clientKind of kinds) {
      it(`${clientKind} client -> ${serverKind} server: unary, server, client and bidi streaming`, async () => {
        const transport = new GrpcTransport({
          address: `127.0.0.1:${servers.get(serverKind)!.port}`,
          transport: clientKind,
        });
        const client = createClient(EchoService, transport);
        try {
          assert.equal((await client.echo({ text: 'one' })).text, 'one');
          const streamed: string[] = [];
          for await (const r of client.echoServerStream({ text: 'x', repeat: 3 })) streamed.push(r.text);
          assert.deepEqual(streamed, ['x', 'x', 'x']);
          const joined = await client.echoClientStream(from([{ text: 'a' }, { text: 'b' }]));
          assert.equal(joined.text, 'a,b');
          const echoed: string[] = [];
          for await (const r of client.echoBidi(from([{ text: 'p' }, { text: 'q' }]))) echoed.push(r.text);
          assert.deepEqual(echoed, ['p', 'q']);
        } finally {
          transport.close();
        }
      });
    }
  }

  it('one port: a preface sent a byte at a time is HTTP/2; an HTTP/1.1 request is HTTP/1.1', async () => {
    const { port } = servers.get('shoal')!;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    const bytes = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), settings]);
    const got = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    for (const byte of bytes) {
      socket.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    const first = await got;
    assert.equal(first[3], 4, 'the server answered with a SETTINGS frame');
    socket.destroy();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          port,
          host: '127.0.0.1',
          path: '/shoal.testing.v1.EchoService/Echo',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{"text":"h1"}');
    });
    assert.equal(status, 200);
  });
});
