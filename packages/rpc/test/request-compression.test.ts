// What the client puts on the wire when asked to compress (gRPC: compression.md): every request
// message, unary ones included, carries the compressed flag and gzip bytes, and grpc-encoding says so.
// A raw node:http2 server records the request bytes, so nothing of Shoal's server is involved.

import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { createClient } from '../src/client/create-client.js';
import { GrpcTransport } from '../src/client/transport.js';
import { encodeEnvelope } from '../src/envelope.js';
import { EchoRequestSchema, EchoResponseSchema, EchoService } from './gen/shoal/testing/v1/echo_pb.js';

interface Seen {
  encoding: string | undefined;
  body: Buffer;
}

describe('client request compression on the wire', () => {
  const seen: Seen[] = [];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      seen.push({ encoding: headers['grpc-encoding'] as string | undefined, body: Buffer.concat(chunks) });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(encodeEnvelope(toBinary(EchoResponseSchema, create(EchoResponseSchema, { text: 'ok' }))));
    });
  });
  let transport: GrpcTransport;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    transport = new GrpcTransport({ address: `127.0.0.1:${port}` });
  });
  after(async () => {
    transport.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Splits recorded request bytes into [compressed flag, message bytes] pairs. */
  function frames(body: Buffer): Array<[number, Buffer]> {
    const out: Array<[number, Buffer]> = [];
    for (let at = 0; at < body.byteLength; ) {
      const length = body.readUInt32BE(at + 1);
      out.push([body[at]!, body.subarray(at + 5, at + 5 + length)]);
      at += 5 + length;
    }
    return out;
  }

  it('compresses a unary request message when compression is set', async () => {
    seen.length = 0;
    const client = createClient(EchoService, transport);
    const res = await client.echo({ text: 'x'.repeat(1000) }, { compression: 'gzip' });
    assert.equal(res.text, 'ok');
    assert.equal(seen[0]?.encoding, 'gzip');
    const [[flag, data] = [-1, Buffer.alloc(0)]] = frames(seen[0]!.body);
    assert.equal(flag, 1, 'the compressed flag of the unary request message');
    assert.equal(fromBinary(EchoRequestSchema, zlib.gunzipSync(data)).text, 'x'.repeat(1000));
  });

  it('compresses every message of a client stream, and none without compression', async () => {
    seen.length = 0;
    const client = createClient(EchoService, transport);
    async function* two() {
      yield { text: 'a' };
      yield { text: 'b' };
    }
    await client.echoClientStream(two(), { compression: 'gzip' });
    await client.echo({ text: 'plain' });
    const streamed = frames(seen[0]!.body);
    assert.deepEqual(
      streamed.map(([flag, data]) => [flag, fromBinary(EchoRequestSchema, zlib.gunzipSync(data)).text]),
      [
        [1, 'a'],
        [1, 'b'],
      ],
    );
    assert.equal(seen[1]?.encoding, undefined);
    assert.deepEqual(
      frames(seen[1]!.body).map(([flag]) => flag),
      [0],
    );
  });
});
