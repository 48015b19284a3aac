// Public API of the `@shoal/xds/client` entry point: what a process needs to watch xDS resources.
// A subset of the package index (same modules, so the same classes) without CSDS, the `envoy`
// message namespace and the all-messages registry, which a client only needs when it serves admin
// requests or builds resources; leaving them out loads fewer generated descriptors at start-up.
// What libraries built on the client need (decoders, HTTP filter types, matchers, LRS) is
// `@shoal/xds/plugins`.

// Bootstrap (gRFC A27/A47): GRPC_XDS_BOOTSTRAP or GRPC_XDS_BOOTSTRAP_CONFIG, as Istio's agent writes it.
export {
  type LoadBootstrapOptions,
  loadBootstrap,
  parseBootstrap,
  type XdsAuthority,
  type XdsBootstrap,
  type XdsCertificateProviderConfig,
  type XdsChannelCredentials,
  type XdsNodeConfig,
  type XdsNodeLocality,
  type XdsServerConfig,
} from './bootstrap.js';
// The client: ADS stream, watchers, cache, ACK/NACK (gRFC A27, A46, A47, A53, A57).
export { createXdsClient } from './client/create-xds-client.js';
export type { XdsLogger, XdsLogLevel } from './client/log.js';
export type {
  XdsResourceSnapshot,
  XdsResourceStatus,
  XdsUpdateFailure,
  XdsWatcher,
} from './client/resource-cache.js';
export { XdsClient, type XdsClientOptions } from './client/xds-client.js';
// Localities, spelled as Envoy's JSON spells them (`subZone`), and as Istio writes them in text.
export { formatLocality, parseLocality, type XdsLocality } from './locality.js';
// Self-registration: the Node metadata keys and what a process announces (both sides import it).
export { type Registration, RegistrationKeys } from './registration.js';
// What a watcher receives: the decoded, validated model of each resource type.
export type { XdsCluster } from './resources/cluster.js';
export type { XdsClusterLoadAssignment } from './resources/cluster-load-assignment.js';
export type { XdsListener } from './resources/listener.js';
export type { XdsRouteConfiguration } from './resources/route-configuration.js';
// The type URLs of the four resource types, to watch them by.
export {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from './type-urls.js';
