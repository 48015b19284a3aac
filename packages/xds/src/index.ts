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
  type XdsNodeConfig,
  type XdsNodeLocality,
  type XdsServerConfig,
} from './bootstrap.js';
// xDS client: ADS stream, watchers, cache, ACK/NACK, backoff (gRFC A27, A46, A47, A53, A57).
export type { BackoffOptions } from './client/backoff.js';
export { createXdsClient } from './client/create-xds-client.js';
export {
  clusterLoadAssignmentResourceType,
  clusterResourceType,
  type DefaultResourceTypeOptions,
  listenerResourceType,
  registerDefaultResourceTypes,
  routeConfigurationResourceType,
} from './client/default-resource-types.js';
export type { XdsLogger, XdsLogLevel } from './client/log.js';
export type {
  XdsResourceSnapshot,
  XdsResourceStatus,
  XdsUpdateFailure,
  XdsWatcher,
} from './client/resource-cache.js';
export type { XdsDecodeResult, XdsResourceType } from './client/resource-type.js';
export type { XdsTransportFactory } from './client/server-transport.js';
export type { XdsServerAddress } from './client/server-uri.js';
export { XdsClient, type XdsClientOptions } from './client/xds-client.js';
// CSDS (gRFC A40).
export { clientStatus, genericXdsConfigs, registerCsds } from './csds/csds-service.js';
/** Envoy v3 xDS message schemas (generated from our own protos), for create()/toBinary(). */
export * as envoy from './envoy.js';
export * from './type-urls.js';
export { createXdsRegistry } from './wire/registry.js';
