// Public API of @shoal/rpc: what an application needs to serve and call Triple and gRPC. Everything
// not exported here or by `@shoal/rpc/plugins` (for libraries built on it) is internal.

// The client side, also an entry point of its own (`@shoal/rpc/client`, which lists it).
export * from './client-index.js';
// Standard services: reflection (v1 and v1alpha) and health, for clients of them (`shoal list`,
// health probes) and for a server that registers them.
/** gRPC server reflection, v1 (grpc.reflection.v1.ServerReflection). */
export { ServerReflection } from './gen/grpc/reflection/v1/reflection_pb.js';
/** gRPC server reflection, v1alpha, which older clients (grpcurl, grpc_cli) still ask for. */
export { ServerReflection as ServerReflectionV1Alpha } from './gen/grpc/reflection/v1alpha/reflection_pb.js';
/** gRPC health checking (grpc.health.v1.Health) and the serving statuses it answers. */
export { Health, HealthCheckResponse_ServingStatus } from './gen/health/v1/health_pb.js';
// The server: one port for gRPC, Triple over HTTP/2 and HTTP/1.1, handlers and what they see.
export {
  type CallAddresses,
  type CallSecurity,
  type HandlerContext,
  type ServerProtocol,
  timeRemaining,
} from './handler-context.js';
export type { MethodImpl, ServiceImpl } from './method-types.js';
export type { RegisterOptions } from './server/method-router.js';
export {
  createServer,
  type ListenAddress,
  Server,
  type ServerOptions,
  type ServerTlsOptions,
} from './server/server.js';
/** What a server accepts on a connection: TLS versions, client certificates, plaintext. */
export type {
  ConnectionPolicy,
  TlsPolicy,
  TransportSecurity,
} from './server/transport-security.js';
/** A server reflection client: service names, and a registry of descriptors to call a method with JSON. */
export { ReflectionClient, type ReflectionClientOptions } from './services/reflection-client.js';
