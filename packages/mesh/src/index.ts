// Public API of @shoal/mesh. Everything not exported here is internal.

// The contract's keys and type are @shoal/xds's (the control plane reads with them), named here too.
export { type Registration, RegistrationKeys } from '@shoal/xds/client';
// The client side and the data plane under it, also an entry point of its own
// (`@shoal/mesh/client`, which lists them).
export * from './client-index.js';
// The mesh-aware server: xDS-enabled serving (gRFC A36) and self-registration in node metadata.
export { createMeshServer, MeshServer, type MeshServerOptions } from './server/mesh-server.js';
export { registrationMetadata, withRegistration } from './server/node-registration.js';
export {
  compileRbac,
  type RbacDecision,
  type RbacEngine,
  type RbacRequest,
} from './server/rbac-engine.js';
// HTTP filters on the server side: RBAC (gRFC A41) and the server's registry (router, fault, RBAC).
export { rbacFilter } from './server/rbac-filter.js';
export { createServerHttpFilterRegistry } from './server/server-filter-registry.js';
export {
  createXdsEnabledServer,
  DEFAULT_SERVER_LISTENER_TEMPLATE,
  XdsEnabledServer,
  type XdsEnabledServerOptions,
} from './server/xds-enabled-server.js';
