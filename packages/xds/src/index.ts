// Public API of @shoal/xds: what an application or tool needs to read a bootstrap and watch,
// print or build xDS resources. Everything not exported here or by `@shoal/xds/plugins` (for
// libraries built on the client) is internal.

// Bootstrap, client, localities, registration and resource models, also an entry point of their
// own (`@shoal/xds/client`, which lists them).
export * from './client-index.js';
// CSDS (gRFC A40): a process's xDS client status, served for `shoal proxy-status`-like tools.
export { registerCsds } from './csds/csds-service.js';
/** Envoy v3 xDS message schemas (generated from our own protos), for create()/toBinary(). */
export * as envoy from './envoy.js';
/** Istio's CA API (istio.v1.auth), for a CA that serves it. */
export {
  type IstioCertificateRequest,
  IstioCertificateRequestSchema,
  type IstioCertificateResponse,
  IstioCertificateResponseSchema,
  IstioCertificateService,
} from './gen/istio/v1/auth/ca_pb.js';
export { createXdsRegistry } from './wire/registry.js';
