// A handler sees how its request was encoded and picks the compression of its responses
// (gRPC: compression.md), checked byte by byte with a raw HTTP/2 client.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { gzip } from '../src/compression.js';
import { encodeEnvelope } from '../src/envelope.js';
import { Server } from '../src/server/server.js';
import { EchoRequestSchema, EchoResponseSchema, EchoService } from './gen/shoal/testing/v1/echo_pb.js';
import { framesOf, rawCall, statusOf } from './raw-h2.js';

const path = '/shoal.testing.v1.EchoService/Echo';

function request(init: { text?: string; responseEncoding?: string }): Buffer {
  return Buffer.from(toBinary(EchoRequestSchema, create(EchoRequestSchema, init)));
}

describe('handler control of compression', () => {
  const server = new Server();
  server.register(EchoService, {
    echo(req, context) {
      if (req.responseEncoding === 'gzip') context.responseCompression = gzip;
      return { text: context.requestEncoding };
    },
  });
  let port: number;
  before(async () => {
    port = (await server.listen(0)).port;
  });
  after(() => server.close(1000));

  it('tells the handler the request encoding', async () => {
    const gzipped = zlib.gzipSync(request({ text: 'x' }));
    const res = await rawCall(port, {
      path,
      headers: { 'grpc-encoding': 'gzip', 'grpc-accept-encoding': 'identity,gzip' },
      chunks: [encodeEnvelope(gzipped, true)],
    });
    assert.equal(statusOf(res).code, 0);
    // By default the response comes back in the request's encoding.
    assert.equal(res.headers['grpc-encoding'], 'gzip');
    const [[flag, data] = [-1, Buffer.alloc(0)]] = framesOf(res.data);
    assert.equal(flag, 1);
    assert.equal(fromBinary(EchoResponseSchema, zlib.gunzipSync(data)).text, 'gzip');

    const plain = await rawCall(port, { path, chunks: [encodeEnvelope(request({}))] });
    const [[plainFlag, plainData] = [-1, Buffer.alloc(0)]] = framesOf(plain.data);
    assert.equal(plainFlag, 0);
    assert.equal(fromBinary(EchoResponseSchema, plainData).text, 'identity');
  });

  it('compresses the response when the handler asks, whatever the request used', async () => {
    const res = await rawCall(port, {
      path,
      headers: { 'grpc-accept-encoding': 'identity,gzip' },
      chunks: [encodeEnvelope(request({ responseEncoding: 'gzip' }))],
    });
    assert.equal(statusOf(res).code, 0);
    assert.equal(res.headers['grpc-encoding'], 'gzip');
    const frames = framesOf(res.data);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]![0], 1);
    assert.equal(fromBinary(EchoResponseSchema, zlib.gunzipSync(frames[0]![1])).text, 'identity');
  });
});
