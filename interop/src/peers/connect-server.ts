// Interop peer: grpc.testing.TestService served by connect-node (its gRPC protocol on a
// node:http2 server), with the server features of gRPC's interop descriptions
// (doc/interop-test-descriptions.md, "Server"): Echo Metadata, Echo Status, CompressedRequest
// (grpc-encoding read from the request headers), ResponseParameters.interval_us. connect-node
// compresses a response whenever the client accepts gzip and the message is large enough, so
// CompressedResponse is not per message here.

import http2 from 'node:http2';
import type net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import { compressionGzip, connectNodeAdapter } from '@connectrpc/connect-node';
import type {
  EchoStatus,
  ResponseParameters,
  StreamingOutputCallRequest,
} from '../gen/grpc/testing/messages_pb.js';
import { TestService } from '../gen/grpc/testing/test_pb.js';
import type { PeerServer } from './grpc-js-server.js';

const echoInitialKey = 'x-grpc-test-echo-initial';
const echoTrailingKey = 'x-grpc-test-echo-trailing-bin';

function echoMetadata(context: HandlerContext): void {
  const initial = context.requestHeader.get(echoInitialKey);
  if (initial !== null) context.responseHeader.set(echoInitialKey, initial);
  const trailing = context.requestHeader.get(echoTrailingKey);
  if (trailing !== null) context.responseTrailer.set(echoTrailingKey, trailing);
}

function echoStatus(status: EchoStatus | undefined): void {
  if (status && status.code !== 0) throw new ConnectError(status.message, status.code as Code);
}

function checkCompressed(expect: { value: boolean } | undefined, context: HandlerContext): void {
  const encoding = context.requestHeader.get('grpc-encoding') ?? 'identity';
  if (expect?.value && encoding === 'identity')
    throw new ConnectError(
      'expect_compressed is set, but the request was not compressed',
      Code.InvalidArgument,
    );
}

async function* respond(params: ResponseParameters[], context: HandlerContext) {
  for (const param of params) {
    if (param.intervalUs > 0) await sleep(param.intervalUs / 1000, undefined, { signal: context.signal });
    yield { payload: { body: new Uint8Array(param.size) } };
  }
}

const impl: Omit<ServiceImpl<typeof TestService>, 'unimplementedCall'> = {
  emptyCall(_request, context) {
    echoMetadata(context);
    return {};
  },
  unaryCall(request, context) {
    echoMetadata(context);
    checkCompressed(request.expectCompressed, context);
    echoStatus(request.responseStatus);
    return { payload: { body: new Uint8Array(request.responseSize) } };
  },
  async *streamingOutputCall(request, context) {
    echoMetadata(context);
    echoStatus(request.responseStatus);
    yield* respond(request.responseParameters, context);
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
    for await (const request of requests) {
      echoStatus(request.responseStatus);
      yield* respond(request.responseParameters, context);
    }
  },
  async *halfDuplexCall(requests, context) {
    echoMetadata(context);
    const all: StreamingOutputCallRequest[] = [];
    for await (const request of requests) all.push(request);
    for (const request of all) {
      echoStatus(request.responseStatus);
      yield* respond(request.responseParameters, context);
    }
  },
};

/** Starts a connect-node TestService server (gRPC only, h2c) on 127.0.0.1 and a free port. */
export async function startConnectServer(): Promise<PeerServer> {
  const handler = connectNodeAdapter({
    routes: (router) => router.service(TestService, impl),
    grpc: true,
    grpcWeb: false,
    connect: false,
    acceptCompression: [compressionGzip],
  });
  const server = http2.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        // Calls left open by cancelled cases must not hold the test up.
        for (const session of sessions) session.close();
        const timer = setTimeout(() => {
          for (const session of sessions) session.destroy();
        }, 1000);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
