// gRPC interop: the test cases' calls made with Shoal's own client (@shoal/rpc).

import {
  type CallOptions,
  createClient,
  GrpcTransport,
  type Metadata,
  type MetadataValue,
  RpcError,
} from '@shoal/rpc';
import { TestService, UnimplementedService } from '../gen/grpc/testing/test_pb.js';
import type { InteropStub, MetadataReader, StubCallOptions } from './stub.js';

export interface ShoalStubOptions {
  /** `host:port` of the server. */
  address: string;
  /** `:authority` to send instead of the address (gRPC's --server_host_override). */
  authority?: string;
}

const reader =
  (metadata: Metadata): MetadataReader =>
  (key) =>
    metadata.get(key);

function callOptions(options: StubCallOptions = {}): CallOptions {
  const { onHeader, onTrailer } = options;
  return {
    headers: options.headers as Record<string, MetadataValue> | undefined,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    compression: options.compressed ? 'gzip' : undefined,
    onHeader: onHeader && ((metadata) => onHeader(reader(metadata))),
    onTrailer: onTrailer && ((metadata) => onTrailer(reader(metadata))),
  };
}

export function shoalStub(options: ShoalStubOptions): InteropStub {
  const transport = new GrpcTransport({ address: options.address, authority: options.authority });
  const test = createClient(TestService, transport);
  const unimplemented = createClient(UnimplementedService, transport);
  return {
    emptyCall: (request, o) => test.emptyCall(request, callOptions(o)),
    unaryCall: (request, o) => test.unaryCall(request, callOptions(o)),
    streamingOutputCall: (request, o) => test.streamingOutputCall(request, callOptions(o)),
    streamingInputCall: (requests, o) => test.streamingInputCall(requests, callOptions(o)),
    fullDuplexCall: (requests, o) => test.fullDuplexCall(requests, callOptions(o)),
    unimplementedCall: (request, o) => test.unimplementedCall(request, callOptions(o)),
    unimplementedServiceCall: (request, o) => unimplemented.unimplementedCall(request, callOptions(o)),
    statusOf: (error) =>
      error instanceof RpcError ? { code: error.code, message: error.rawMessage } : undefined,
    close: () => transport.close(),
  };
}
