// Public API of @shoal/rpc. Everything not exported here is internal.
export type { CallDestination, CallOptions } from './call-options.js';
export { type ClientOptions, createClient } from './client/create-client.js';
export { HttpTransport, type HttpTransportOptions } from './client/http-transport.js';
export { type ClientTlsOptions, SessionPool, type SessionPoolOptions } from './client/session-pool.js';
export { GrpcTransport, type GrpcTransportOptions, type Transport } from './client/transport.js';
export { Code, codeFromHttpStatus, codeFromName, codeName, httpStatusFromCode, parseCode } from './code.js';
export { type Compression, deflate, gzip } from './compression.js';
export { ServerReflection } from './gen/grpc/reflection/v1/reflection_pb.js';
export { ServerReflection as ServerReflectionV1Alpha } from './gen/grpc/reflection/v1alpha/reflection_pb.js';
/** Generated descriptors of the standard services, for clients of them (health probes, `shoal list`). */
export { Health, HealthCheckResponse_ServingStatus } from './gen/health/v1/health_pb.js';
export {
  type CallAddresses,
  type HandlerContext,
  type ServerProtocol,
  timeRemaining,
} from './handler-context.js';
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
