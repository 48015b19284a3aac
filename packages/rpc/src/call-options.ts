// Per-call options of a client call.

import type { Metadata, MetadataValue } from './metadata.js';

export interface CallOptions {
  /** Time budget of the call in ms; sent as `grpc-timeout` and `tri-service-timeout`. */
  timeoutMs?: number;
  /** Request metadata. */
  headers?: Metadata | Record<string, MetadataValue | MetadataValue[]>;
  /** Aborting cancels the call (RST_STREAM CANCEL); the call rejects with CANCELLED. */
  signal?: AbortSignal;
  /** Triple service version and group (`tri-service-version`, `tri-service-group`). */
  version?: string;
  group?: string;
  /** Compresses request messages with this encoding (`gzip`, `deflate`); identity by default. */
  compression?: string;
  /** Called with the response headers once they arrive. */
  onHeader?(headers: Metadata): void;
  /** Called with the trailers when the call ends, also when it ends with an error. */
  onTrailer?(trailers: Metadata): void;
}
