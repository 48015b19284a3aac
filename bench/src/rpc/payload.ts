// The one request every RPC benchmark sends, in each of its wire forms: a gRPC length-prefixed
// protobuf message and a JSON body. The echo answers the same fields, so the response body has
// the same size as the request body, which lets a run check that every answer was a real one.

import { fileURLToPath } from 'node:url';
import { create, toBinary, toJsonString } from '@bufbuild/protobuf';
import { type EchoRequest, EchoRequestSchema } from '../gen/shoal/bench/v1/bench_pb.js';

export const echoPath = '/shoal.bench.v1.BenchService/Echo';

/** Responses per server-streaming call in the stream section. */
export const STREAM_MESSAGES = 100;

/** The .proto that @grpc/proto-loader reads; protoc-gen-es generated ../gen from the same file. */
export const protoPath = fileURLToPath(new URL('../../proto/shoal/bench/v1/bench.proto', import.meta.url));

export function echoRequest(): EchoRequest {
  return create(EchoRequestSchema, {
    text: 'hello from the shoal benchmark',
    id: 42,
    payload: new Uint8Array(64).fill(0x5a),
  });
}

/** The request as one gRPC Length-Prefixed-Message (flag 0, big-endian length, bytes). */
export function grpcFrame(): Buffer {
  const bytes = toBinary(EchoRequestSchema, echoRequest());
  const frame = Buffer.alloc(5 + bytes.byteLength);
  frame.writeUInt32BE(bytes.byteLength, 1);
  frame.set(bytes, 5);
  return frame;
}

/** The request in the proto3 JSON mapping, as Triple's HTTP mode and the raw JSON server take it. */
export function jsonBody(): Buffer {
  return Buffer.from(toJsonString(EchoRequestSchema, echoRequest()));
}
