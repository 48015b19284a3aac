// Public API of @shoal/mesh: what an application needs to call and serve through the mesh.
// Everything not exported here or by `@shoal/mesh/plugins` (for libraries that extend the data
// plane) is internal.

// The mesh-aware client, also an entry point of its own (`@shoal/mesh/client`, which lists it).
export * from './client-index.js';
// The mesh-aware server: serving with the mesh's policies, and self-registration in node metadata.
export { createMeshServer, MeshServer, type MeshServerOptions } from './server/mesh-server.js';
export { registrationMetadata, withRegistration } from './server/node-registration.js';
// xDS-enabled serving (gRFC A36): listeners, filter chains and mTLS from the control plane.
export {
  createXdsEnabledServer,
  DEFAULT_SERVER_LISTENER_TEMPLATE,
  XdsEnabledServer,
  type XdsEnabledServerOptions,
} from './server/xds-enabled-server.js';
