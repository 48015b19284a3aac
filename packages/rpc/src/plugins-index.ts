// Public API of the `@shoal/rpc/plugins` entry point: what libraries that build transports,
// interceptors and call tracers on @shoal/rpc need (an application needs only `@shoal/rpc`). It
// loads no more than `@shoal/rpc/client` does, so a client-side library can import it.

// Call tracers (gRFC A66): how stats and tracing plug-ins see each call and attempt.
export type { CallDestination } from './call-options.js';
export type {
  AttemptDestination,
  ClientAttemptTracer,
  ClientCallTracer,
  ClientCallTracerFactory,
  ServerCallTracer,
  ServerCallTracerFactory,
} from './call-tracer.js';
// Transports built on the client's: HTTP/2 sessions, a response stream that reports its end, and
// the mapping of HTTP statuses to codes (gRPC's HTTP-to-gRPC status mapping).
export { SessionPool, type SessionPoolOptions } from './client/session-pool.js';
export { trackStream } from './client/track-stream.js';
export { codeFromHttpStatus, httpStatusFromCode } from './code.js';
// The protobuf binary codec the transports use: compiled per message type from protobuf-es's
// descriptors, byte-identical to toBinary and reading what fromBinary reads, at a fraction of
// the cost; types it does not cover go to protobuf-es. For libraries that encode messages
// outside a call (a control plane's pushes).
export { type BinaryCodec, BinaryCodecs } from './codec/binary-codec.js';
export { binaryCodecCovers } from './codec/codec-coverage.js';
// A message sent with the protobuf bytes its sender already encoded (one value to many streams).
export { encodingOf, withEncoding } from './encoded-message.js';
// A request passed on with a step's changes (tracers, headers, deadline, path), without a spread.
export { type RequestChanges, withRequest } from './interceptor.js';
// Metadata rules for libraries that edit headers (route header operations): `-bin` values and the
// headers a call's own protocol owns.
export { decodeBinaryHeader, isReservedHeader } from './metadata.js';
