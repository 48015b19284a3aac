// Public API of @shoal/rpc. Everything not exported here is internal.
export type { CallOptions } from './call-options.js';
export { type ClientOptions, createClient } from './client/create-client.js';
export { type ClientTlsOptions, SessionPool, type SessionPoolOptions } from './client/session-pool.js';
export { GrpcTransport, type GrpcTransportOptions, type Transport } from './client/transport.js';
export { Code, codeFromHttpStatus, codeFromName, codeName, httpStatusFromCode, parseCode } from './code.js';
export { type Compression, deflate, gzip } from './compression.js';
export { type HandlerContext, type ServerProtocol, timeRemaining } from './handler-context.js';
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
export {
  type Client,
  type ClientMethod,
  type MethodImpl,
  methodPath,
  type ServiceImpl,
} from './method-types.js';
export { type ErrorDetail, RpcError } from './rpc-error.js';
export type { RegisterOptions } from './server/method-router.js';
export {
  createServer,
  type ListenAddress,
  Server,
  type ServerOptions,
  type ServerTlsOptions,
} from './server/server.js';
