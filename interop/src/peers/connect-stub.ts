// Interop peer: the test cases' calls made with connect-node's gRPC client (createGrpcTransport over
// HTTP/2, the only version its gRPC transport speaks), built from this package's generated descriptors, against a Shoal server.

import {
  type CallOptions,
  ConnectError,
  createClient,
  decodeBinaryHeader,
  encodeBinaryHeader,
} from '@connectrpc/connect';
import { compressionGzip, createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import type { InteropStub, MetadataReader, StubCallOptions } from '../client/stub.js';
import { TestService, UnimplementedService } from '../gen/grpc/testing/test_pb.js';

const reader =
  (headers: Headers): MetadataReader =>
  (key) => {
    const value = headers.get(key);
    if (value === null) return undefined;
    return key.endsWith('-bin') ? decodeBinaryHeader(value) : value;
  };

function callOptions(options: StubCallOptions = {}): CallOptions {
  const headers = new Headers();
  for (const [key, value] of Object.entries(options.headers ?? {})) {
    headers.append(key, typeof value === 'string' ? value : encodeBinaryHeader(value));
  }
  const { onHeader, onTrailer } = options;
  return {
    headers,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    onHeader: onHeader && ((h) => onHeader(reader(h))),
    onTrailer: onTrailer && ((t) => onTrailer(reader(t))),
  };
}

export function connectStub(baseUrl: string): InteropStub {
  // One connection for both transports, closed with the stub.
  const sessionManager = new Http2SessionManager(baseUrl);
  const plain = createGrpcTransport({ baseUrl, sessionManager });
  const gzipped = createGrpcTransport({
    baseUrl,
    sessionManager,
    sendCompression: compressionGzip,
    compressMinBytes: 0,
  });
  const test = createClient(TestService, plain);
  const testGzip = createClient(TestService, gzipped);
  const unimplemented = createClient(UnimplementedService, plain);
  const pick = (o?: StubCallOptions) => (o?.compressed ? testGzip : test);
  return {
    emptyCall: (request, o) => pick(o).emptyCall(request, callOptions(o)),
    unaryCall: (request, o) => pick(o).unaryCall(request, callOptions(o)),
    streamingOutputCall: (request, o) => pick(o).streamingOutputCall(request, callOptions(o)),
    streamingInputCall: (requests, o) => pick(o).streamingInputCall(requests, callOptions(o)),
    fullDuplexCall: (requests, o) => pick(o).fullDuplexCall(requests, callOptions(o)),
    unimplementedCall: (request, o) => pick(o).unimplementedCall(request, callOptions(o)),
    unimplementedServiceCall: (request, o) => unimplemented.unimplementedCall(request, callOptions(o)),
    statusOf: (error) =>
      error instanceof ConnectError ? { code: error.code, message: error.rawMessage } : undefined,
    close: () => sessionManager.abort(),
  };
}
