// Public API of @shoal/xds. Everything not listed here is internal.

// xDS client: bootstrap (gRFC A27/A47).
export {
  clientListenerResourceName,
  type LoadBootstrapOptions,
  loadBootstrap,
  parseBootstrap,
  serverListenerResourceName,
  type XdsAuthority,
  type XdsBootstrap,
  type XdsCertificateProviderConfig,
  type XdsChannelCredentials,
  type XdsLocality,
  type XdsNodeConfig,
  type XdsServerConfig,
} from './bootstrap.js';
export type { XdsServerAddress } from './client/server-uri.js';
/** Envoy v3 xDS message schemas (generated from our own protos), for create()/toBinary(). */
export * as envoy from './envoy.js';
export * from './type-urls.js';
export { createXdsRegistry } from './wire/registry.js';
