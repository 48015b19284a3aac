// The floor for any gRPC client on node:http2: a hand-written unary caller with no library and
// nothing optional. Per call it encodes the request, frames it, opens a stream on one session,
// collects the response, reads grpc-status from the trailers and decodes the answer; no deadline,
// metadata, compression, limits, cancellation or connection pool. What it spends is what
// node:http2 and protobuf-es cost, so Shoal's client can be cheaper than grpc-js by at most
// about this client's ratio to grpc-js.

import http2 from 'node:http2';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { EchoRequestSchema, type EchoResponse, EchoResponseSchema } from '../gen/shoal/bench/v1/bench_pb.js';
import { echoPath, echoRequest } from './payload.js';

const headers = {
  ':method': 'POST',
  ':path': echoPath,
  'content-type': 'application/grpc',
  te: 'trailers',
};

export function rawHttp2Caller(address: string): () => Promise<EchoResponse> {
  const session = http2.connect(`http://${address}`);
  const request = echoRequest();
  return () =>
    new Promise((resolve, reject) => {
      const bytes = toBinary(EchoRequestSchema, request);
      const frame = Buffer.allocUnsafe(5 + bytes.byteLength);
      frame[0] = 0;
      frame.writeUInt32BE(bytes.byteLength, 1);
      frame.set(bytes, 5);
      const stream = session.request(headers, { endStream: false });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('trailers', (trailers) => {
        status = trailers['grpc-status'] as string | undefined;
      });
      stream.on('error', reject);
      stream.on('close', () => {
        if (status !== '0') {
          reject(new Error(`call ended with grpc-status ${status}`));
          return;
        }
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        resolve(fromBinary(EchoResponseSchema, body.subarray(5)));
      });
      stream.end(frame);
    });
}
