// The baseline: gRPC framed by hand on node:http2 (gRPC: PROTOCOL-HTTP2), with no library in
// between. Minimal but correct for a unary call: it reads the whole length-prefixed request,
// decodes it with the same generated code as Shoal, answers 200 + one message + `grpc-status`
// trailers, and fails calls it cannot serve with a Trailers-Only status.

import http2 from 'node:http2';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { EchoRequestSchema, EchoResponseSchema } from '../../gen/shoal/bench/v1/bench_pb.js';
import { echoPath } from '../payload.js';

function trailersOnly(stream: http2.ServerHttp2Stream, status: number, message: string): void {
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': status,
      'grpc-message': encodeURI(message),
    },
    { endStream: true },
  );
}

function onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  stream.on('error', () => {});
  if (headers[':path'] !== echoPath) {
    stream.resume();
    trailersOnly(stream, 12, `unknown method ${headers[':path']}`); // UNIMPLEMENTED
    return;
  }
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (body.byteLength < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.byteLength - 5) {
      trailersOnly(stream, 13, 'expected one uncompressed length-prefixed message'); // INTERNAL
      return;
    }
    let request: ReturnType<typeof fromBinary<typeof EchoRequestSchema>>;
    try {
      request = fromBinary(EchoRequestSchema, body.subarray(5));
    } catch {
      trailersOnly(stream, 3, 'cannot decode the request'); // INVALID_ARGUMENT
      return;
    }
    const bytes = toBinary(
      EchoResponseSchema,
      create(EchoResponseSchema, { text: request.text, id: request.id, payload: request.payload }),
    );
    const frame = Buffer.allocUnsafe(5 + bytes.byteLength);
    frame[0] = 0;
    frame.writeUInt32BE(bytes.byteLength, 1);
    frame.set(bytes, 5);
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(frame);
  });
}

export function startRawHttp2Server(): Promise<number> {
  const server = http2.createServer();
  server.on('stream', onStream);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}
