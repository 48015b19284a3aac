// Public API of the `@shoal/control-plane/plugins` entry point: the backends a control plane can
// be given in its options (an application needs only `@shoal/control-plane`).

// Store and registry backends: where config and registrations live (`--store`), where services
// and endpoints come from (`--registry`); ControlPlaneOptions.backends and .registryBackends.
export { registerRegistryBackends, registerStoreBackends } from './backends/builtin-backends.js';
export {
  type RegistryBackend,
  type RegistryBackendFactory,
  RegistryBackends,
  type RegistryContext,
  storeRegistry,
} from './backends/registry-backends.js';
export {
  type BackendContext,
  type BackendLogger,
  type CreateBackendOptions,
  type Leadership,
  type StoreBackend,
  type StoreBackendFactory,
  StoreBackends,
  type StoreHealth,
} from './backends/store-backends.js';
// Registry: where services and endpoints come from (ControlPlaneOptions.registry).
export type {
  EndpointHealth,
  InterfaceTarget,
  LeaseState,
  RegisteredInstance,
  RegistrationLease,
  Registry,
  RegistryEndpoint,
  RegistryEvent,
  RegistryListener,
  RegistryService,
  RegistryServicePort,
  ServiceSource,
} from './registry/registry-types.js';
// Traffic: the picture behind GET /api/traffic and the console's graph (ControlPlaneOptions.traffic).
export type { TrafficEdge, TrafficNode, TrafficReport, TrafficSource } from './traffic/traffic-source.js';
