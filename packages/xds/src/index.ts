// Public API of @shoal/xds. Everything not listed here is internal.

// What a data-plane process needs (bootstrap, client, resource decoders), also an entry point of
// its own (`@shoal/xds/client`, which lists it).
export * from './client-index.js';
// CSDS (gRFC A40).
export { clientStatus, genericXdsConfigs, registerCsds } from './csds/csds-service.js';
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
