// What every call handler of one server shares: the routes, limits, codecs and shutdown signal.
// Internal to @shoal/rpc.

import type { DescMethod } from '@bufbuild/protobuf';
import type { ServerCallTracerFactory } from '../call-tracer.js';
import type { Compression } from '../compression.js';
import type { Interceptor } from '../interceptor.js';
import type { Codec } from '../serialization.js';
import type { MethodSerializers } from '../serializer-cache.js';
import type { MethodRouter } from './method-router.js';
import type { ResponseBlocks } from './response-blocks.js';

export interface ServerCore {
  readonly router: MethodRouter;
  readonly interceptors: readonly Interceptor[];
  readonly compressions: readonly Compression[];
  readonly acceptEncoding: string;
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes: number;
  /** Aborted when the server stops accepting work for good (forced shutdown). */
  readonly shutdownSignal: AbortSignal;
  /** Reports errors the peer cannot see (a handler that failed after the peer left, a socket error). */
  readonly onError: (error: unknown, where: string) => void;
  serializers(method: DescMethod, codec: Codec): MethodSerializers;
  /** Makes the tracer of each gRPC call (stats, traces), when set. */
  readonly callTracer: ServerCallTracerFactory | undefined;
  /** Header blocks every gRPC response shares, encoded once. */
  readonly responseBlocks: ResponseBlocks;
}
