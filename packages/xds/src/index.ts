// Public API of @shoal/xds. Everything not listed here is internal.

// What a data-plane process needs (bootstrap, client, resource decoders), also an entry point of
// its own (`@shoal/xds/client`, which lists it).
export * from './client-index.js';
// CSDS (gRFC A40).
export { clientStatus, genericXdsConfigs, registerCsds } from './csds/csds-service.js';
/** Envoy v3 xDS message schemas (generated from our own protos), for create()/toBinary(). */
export * as envoy from './envoy.js';
export { createXdsRegistry } from './wire/registry.js';
