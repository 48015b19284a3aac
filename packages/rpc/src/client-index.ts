// Public API of the `@shoal/rpc/client` entry point: what a process that only makes calls needs.
// A subset of the package index (same modules, so the same classes), without the server, the
// reflection and health descriptors, so a client loads fewer modules at start-up.
export type { CallDestination, CallOptions } from './call-options.js';
/** Call tracers (gRFC A66): how stats and tracing plug-ins see each call and attempt. */
export type {
  AttemptDestination,
  ClientAttemptTracer,
  ClientCallTracer,
  ServerCallTracer,
  ServerCallTracerFactory,
} from './call-tracer.js';
export { type ClientOptions, createClient } from './client/create-client.js';
export { HttpTransport, type HttpTransportOptions } from './client/http-transport.js';
export { type ClientTlsOptions, SessionPool, type SessionPoolOptions } from './client/session-pool.js';
/** A streamed response that reports its end (status), for interceptors and transports. */
export { trackStream } from './client/track-stream.js';
export { GrpcTransport, type GrpcTransportOptions, type Transport } from './client/transport.js';
export { Code, codeFromHttpStatus, codeFromName, codeName, httpStatusFromCode, parseCode } from './code.js';
export { type Compression, deflate, gzip } from './compression.js';
export type {
  CallFn,
  CallRequest,
  CallResponse,
  Interceptor,
  StreamRequest,
  StreamResponse,
  UnaryRequest,
  UnaryResponse,
} from './interceptor.js';
export { Metadata, type MetadataValue } from './metadata.js';
export { type Client, type ClientMethod, methodPath } from './method-types.js';
export { type ErrorDetail, RpcError } from './rpc-error.js';
