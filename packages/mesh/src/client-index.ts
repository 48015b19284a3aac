// Public API of the `@shoal/mesh/client` entry point: what a process that only makes calls through
// the mesh needs. A subset of the package index (same modules, so the same classes) without the
// mesh-aware server, and it reaches @shoal/rpc and @shoal/xds through their client entry points,
// so a client process loads fewer modules at start-up. What libraries that extend the data plane
// need (LB policies, HTTP filters, config assembly) is `@shoal/mesh/plugins`.

// The mesh-aware client: xds:///host:port and interface-name targets, and what a call decided.
export type { CallDecision } from './client/call-decision.js';
export {
  createMeshClient,
  MESH_TRANSPORT,
  type MeshClient,
  type MeshClientOptions,
  meshTransportOf,
} from './client/create-mesh-client.js';
export { MeshTransport, type MeshTransportOptions } from './client/mesh-transport.js';
export { type MeshTarget, parseMeshTarget } from './client/target.js';
