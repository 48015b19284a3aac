// Public API of @shoal/rpc. Everything not exported here is internal.

// What a process that only makes calls needs, also an entry point of its own
// (`@shoal/rpc/client`, which lists it).
export * from './client-index.js';
export { ServerReflection } from './gen/grpc/reflection/v1/reflection_pb.js';
export { ServerReflection as ServerReflectionV1Alpha } from './gen/grpc/reflection/v1alpha/reflection_pb.js';
/** Generated descriptors of the standard services, for clients of them (health probes, `shoal list`). */
export { Health, HealthCheckResponse_ServingStatus } from './gen/health/v1/health_pb.js';
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
export type {
  ConnectionPolicy,
  TlsPolicy,
  TransportSecurity,
} from './server/transport-security.js';
/** A server reflection client: service names, and a registry of descriptors to call a method with JSON. */
export { ReflectionClient, type ReflectionClientOptions } from './services/reflection-client.js';
