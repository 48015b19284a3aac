// Public API of the `@shoal/rpc/client` entry point: what a process that only makes calls needs.
// A subset of the package index (same modules, so the same classes), without the server, the
// reflection and health descriptors, so a client loads fewer modules at start-up. What libraries
// that build transports or call tracers need is `@shoal/rpc/plugins`.

// Clients and transports: gRPC and Triple over HTTP/2, Triple's unary HTTP mode, TLS.
export type { CallOptions } from './call-options.js';
export { type ClientOptions, createClient } from './client/create-client.js';
export { HttpTransport, type HttpTransportOptions } from './client/http-transport.js';
export type { ClientTlsOptions } from './client/session-pool.js';
export { GrpcTransport, type GrpcTransportOptions, type Transport } from './client/transport.js';
// Status codes and errors (one error type, carrying a gRPC code).
export { Code, codeFromName, codeName } from './code.js';
// Compression (grpc-encoding).
export { type Compression, deflate, gzip } from './compression.js';
// Interceptors: what a call looks like to code that wraps it.
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
// Metadata (headers and trailers) and the typed client of a service.
export { ConstantMetadata, Metadata, type MetadataValue } from './metadata.js';
export { type Client, type ClientMethod, methodPath } from './method-types.js';
export { type ErrorDetail, RpcError } from './rpc-error.js';
