// gRPC interop: grpc.testing.TestService with the server features of gRPC's interop descriptions
// (doc/interop-test-descriptions.md, "Server"): EmptyCall, UnaryCall, StreamingOutputCall,
// StreamingInputCall, FullDuplexCall, HalfDuplexCall, CompressedRequest, CompressedResponse,
// Echo Status, Echo Metadata and ResponseParameters.interval_us. UnimplementedCall is left out on purpose.

import { setTimeout as sleep } from 'node:timers/promises';
import {
  Code,
  createServer,
  gzip,
  type HandlerContext,
  RpcError,
  type Server,
  type ServerOptions,
  type ServiceImpl,
} from '@shoal/rpc';
import type {
  BoolValue,
  EchoStatus,
  ResponseParameters,
  StreamingOutputCallRequest,
} from '../gen/grpc/testing/messages_pb.js';
import { TestService } from '../gen/grpc/testing/test_pb.js';

const echoInitialKey = 'x-grpc-test-echo-initial';
const echoTrailingKey = 'x-grpc-test-echo-trailing-bin';

/** Largest payload the server builds on request: under gRPC's default 4 MiB message limit. */
const maxResponseSize = 4 * 1024 * 1024 - 64;

/** Echo Metadata: the initial key back in the response headers, the trailing key in the trailers. */
function echoMetadata(context: HandlerContext): void {
  for (const value of context.requestHeader.getAll(echoInitialKey)) {
    context.responseHeader.append(echoInitialKey, value);
  }
  for (const value of context.requestHeader.getAll(echoTrailingKey)) {
    context.responseTrailer.append(echoTrailingKey, value);
  }
}

/** Echo Status: a requested non-OK status ends the call with that code and message. */
function echoStatus(status: EchoStatus | undefined): void {
  if (status && status.code !== Code.OK) throw new RpcError(status.code as Code, status.message);
}

/** CompressedRequest: a request that expects compression must have come compressed. */
function checkCompressed(expect: BoolValue | undefined, context: HandlerContext): void {
  if (expect?.value && context.requestEncoding === 'identity') {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      'expect_compressed is set, but the request was not compressed (grpc-encoding: identity)',
    );
  }
}

function payload(size: number, field: string) {
  if (size < 0 || size > maxResponseSize) {
    throw new RpcError(Code.INVALID_ARGUMENT, `${field} ${size} is out of range (0..${maxResponseSize})`);
  }
  return { body: new Uint8Array(size) };
}

/** Sends one response per ResponseParameters, each after its interval_us. */
async function* respond(params: ResponseParameters[], context: HandlerContext, at: string) {
  for (const [i, param] of params.entries()) {
    if (param.intervalUs > 0) await sleep(param.intervalUs / 1000, undefined, { signal: context.signal });
    // CompressedResponse: Shoal compresses per call, so the first message decides for the call.
    if (param.compressed?.value && context.responseCompression === undefined)
      context.responseCompression = gzip;
    yield { payload: payload(param.size, `${at}.response_parameters[${i}].size`) };
  }
}

/** The implementation of TestService; every method but UnimplementedCall. */
export function testServiceImpl(): Omit<ServiceImpl<typeof TestService>, 'unimplementedCall'> {
  return {
    emptyCall(_request, context) {
      echoMetadata(context);
      return {};
    },

    unaryCall(request, context) {
      echoMetadata(context);
      checkCompressed(request.expectCompressed, context);
      echoStatus(request.responseStatus);
      if (request.responseCompressed?.value) context.responseCompression = gzip;
      return { payload: payload(request.responseSize, 'response_size') };
    },

    async *streamingOutputCall(request, context) {
      echoMetadata(context);
      echoStatus(request.responseStatus);
      yield* respond(request.responseParameters, context, 'request');
    },

    async streamingInputCall(requests, context) {
      echoMetadata(context);
      let aggregatedPayloadSize = 0;
      for await (const request of requests) {
        checkCompressed(request.expectCompressed, context);
        aggregatedPayloadSize += request.payload?.body.byteLength ?? 0;
      }
      return { aggregatedPayloadSize };
    },

    async *fullDuplexCall(requests, context) {
      echoMetadata(context);
      let n = 0;
      for await (const request of requests) {
        echoStatus(request.responseStatus);
        yield* respond(request.responseParameters, context, `requests[${n++}]`);
      }
    },

    async *halfDuplexCall(requests, context) {
      echoMetadata(context);
      const all: StreamingOutputCallRequest[] = [];
      for await (const request of requests) all.push(request);
      for (const [n, request] of all.entries()) {
        echoStatus(request.responseStatus);
        yield* respond(request.responseParameters, context, `requests[${n}]`);
      }
    },
  };
}

/** A Shoal server with TestService registered (UnimplementedService is not). */
export function createTestServer(options?: ServerOptions): Server {
  return createServer(options).register(TestService, testServiceImpl());
}
