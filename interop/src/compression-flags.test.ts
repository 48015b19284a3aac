// gRPC interop, CompressedResponse seen on the wire: the compressed flag of each response message
// from Shoal's TestService, which no client API shows, read with a raw node:http2 client.

import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { create, type DescMessage, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import {
  SimpleRequestSchema,
  SimpleResponseSchema,
  StreamingOutputCallRequestSchema,
} from './gen/grpc/testing/messages_pb.js';
import { createTestServer } from './server/test-service.js';

interface Frame {
  flag: number;
  data: Buffer;
}

describe('interop: compressed flag of Shoal server responses', () => {
  const server = createTestServer();
  let session: http2.ClientHttp2Session;
  before(async () => {
    const { port } = await server.listen(0, '127.0.0.1');
    session = http2.connect(`http://127.0.0.1:${port}`);
  });
  after(async () => {
    session.close();
    await server.close(1000);
  });

  /** Sends one request message; returns the response's grpc-encoding, frames and grpc-status. */
  function call<S extends DescMessage>(method: string, schema: S, init: MessageInitShape<S>) {
    return new Promise<{ encoding: unknown; frames: Frame[]; status: unknown }>((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': `/grpc.testing.TestService/${method}`,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-accept-encoding': 'identity,gzip',
      });
      const body = Buffer.from(toBinary(schema, create(schema, init)));
      const head = Buffer.alloc(5);
      head.writeUInt32BE(body.byteLength, 1);
      stream.end(Buffer.concat([head, body]));
      let encoding: unknown;
      let status: unknown;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => (encoding = h['grpc-encoding']));
      stream.on('trailers', (t) => (status = t['grpc-status']));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('close', () => {
        const data = Buffer.concat(chunks);
        const frames: Frame[] = [];
        for (let at = 0; at < data.byteLength; ) {
          const length = data.readUInt32BE(at + 1);
          frames.push({ flag: data[at]!, data: data.subarray(at + 5, at + 5 + length) });
          at += 5 + length;
        }
        resolve({ encoding, frames, status });
      });
    });
  }

  it('UnaryCall with response_compressed=true sends a gzip message with the flag set', async () => {
    const res = await call('UnaryCall', SimpleRequestSchema, {
      responseSize: 1000,
      responseCompressed: { value: true },
    });
    assert.equal(res.status, '0');
    assert.equal(res.encoding, 'gzip');
    assert.equal(res.frames.length, 1);
    assert.equal(res.frames[0]!.flag, 1);
    const response = fromBinary(SimpleResponseSchema, zlib.gunzipSync(res.frames[0]!.data));
    assert.equal(response.payload?.body.byteLength, 1000);
  });

  it('UnaryCall with response_compressed=false sends the message uncompressed', async () => {
    const res = await call('UnaryCall', SimpleRequestSchema, {
      responseSize: 1000,
      responseCompressed: { value: false },
    });
    assert.equal(res.status, '0');
    assert.deepEqual(
      res.frames.map((f) => f.flag),
      [0],
    );
    assert.equal(fromBinary(SimpleResponseSchema, res.frames[0]!.data).payload?.body.byteLength, 1000);
  });

  it('StreamingOutputCall compresses when the first ResponseParameters asks (per call)', async () => {
    const res = await call('StreamingOutputCall', StreamingOutputCallRequestSchema, {
      responseParameters: [
        { size: 100, compressed: { value: true } },
        { size: 200, compressed: { value: true } },
      ],
    });
    assert.equal(res.status, '0');
    assert.equal(res.encoding, 'gzip');
    assert.deepEqual(
      res.frames.map((f) => [f.flag, zlib.gunzipSync(f.data).byteLength > 0]),
      [
        [1, true],
        [1, true],
      ],
    );
  });
});
