// gRPC interop (doc/interop-test-descriptions.md, "Client"): the calls the test cases make, apart
// from the client library that makes them, so one set of cases runs on Shoal's client (the
// shoal-interop-client binary) and, in the tests, on @grpc/grpc-js's and connect-node's.

import type { MessageInitShape } from '@bufbuild/protobuf';
import type { EmptySchema } from '../gen/grpc/testing/empty_pb.js';
import type {
  SimpleRequestSchema,
  StreamingInputCallRequestSchema,
  StreamingOutputCallRequestSchema,
} from '../gen/grpc/testing/messages_pb.js';

export type EmptyInit = MessageInitShape<typeof EmptySchema>;
export type SimpleRequestInit = MessageInitShape<typeof SimpleRequestSchema>;
export type StreamingInputCallRequestInit = MessageInitShape<typeof StreamingInputCallRequestSchema>;
export type StreamingOutputCallRequestInit = MessageInitShape<typeof StreamingOutputCallRequestSchema>;

/** What the cases read of a payload; protobuf-es messages and proto-loader objects both fit. */
export interface PayloadLike {
  readonly body: Uint8Array;
}

export interface WithPayload {
  readonly payload?: PayloadLike | null;
}

export interface StreamingInputCallResponseLike {
  readonly aggregatedPayloadSize: number;
}

/** Reads one metadata value: a string, or bytes for `-bin` keys. */
export type MetadataReader = (key: string) => string | Uint8Array | undefined;

export interface StubCallOptions {
  /** Request metadata; `-bin` keys take bytes. */
  headers?: Record<string, string | Uint8Array>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Compress the request messages with gzip. */
  compressed?: boolean;
  onHeader?: (read: MetadataReader) => void;
  onTrailer?: (read: MetadataReader) => void;
}

/** grpc.testing.TestService and UnimplementedService, as one client library calls them. */
export interface InteropStub {
  emptyCall(request: EmptyInit, options?: StubCallOptions): Promise<unknown>;
  unaryCall(request: SimpleRequestInit, options?: StubCallOptions): Promise<WithPayload>;
  streamingOutputCall(
    request: StreamingOutputCallRequestInit,
    options?: StubCallOptions,
  ): AsyncIterable<WithPayload>;
  streamingInputCall(
    requests: AsyncIterable<StreamingInputCallRequestInit>,
    options?: StubCallOptions,
  ): Promise<StreamingInputCallResponseLike>;
  fullDuplexCall(
    requests: AsyncIterable<StreamingOutputCallRequestInit>,
    options?: StubCallOptions,
  ): AsyncIterable<WithPayload>;
  /** grpc.testing.TestService/UnimplementedCall, which servers leave out. */
  unimplementedCall(request: EmptyInit, options?: StubCallOptions): Promise<unknown>;
  /** grpc.testing.UnimplementedService/UnimplementedCall. */
  unimplementedServiceCall(request: EmptyInit, options?: StubCallOptions): Promise<unknown>;
  /** The gRPC status an error thrown by a call carries, or undefined when it carries none. */
  statusOf(error: unknown): { code: number; message: string } | undefined;
  close(): void;
}
