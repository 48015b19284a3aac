// Public API of @shoal/xds. Everything not listed here is internal.

/** Envoy v3 xDS message schemas (generated from our own protos), for create()/toBinary(). */
export * as envoy from './envoy.js';
export * from './type-urls.js';
export { createXdsRegistry } from './wire/registry.js';
