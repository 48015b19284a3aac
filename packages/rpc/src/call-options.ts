// Per-call options of a client call.

import type { Metadata, MetadataValue } from './metadata.js';

/**
 * Options of one call: timeout, metadata, abort signal, compression and callbacks for headers and trailers.
 */
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
  /**
   * Called once the call's destination is chosen. A plain transport reports its address; a mesh
   * transport also reports the route and cluster that led there, and why (for `shoal call`).
   */
  onDestination?(destination: CallDestination): void;
}

/**
 * Where a call went: the endpoint, and under a mesh its cluster, route and why (for tracers and the test
 * call).
 */
export interface CallDestination {
  /** `host:port` the call was sent to. */
  endpoint: string;
  /** The xDS cluster, under a mesh, e.g. `outbound|50051|v1|greeter.default.svc.cluster.local`. */
  cluster?: string;
  /** The route that matched, by name or index. */
  route?: string;
  /** Why this endpoint: the load-balancing policy, locality, priority. */
  reason?: string;
}
