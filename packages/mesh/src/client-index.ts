// Public API of the `@shoal/mesh/client` entry point: the mesh-aware client and the data plane
// under it. A subset of the package index (same modules, so the same classes) without the
// mesh-aware server (xDS-enabled serving, RBAC, self-registration), and it reaches @shoal/rpc and
// @shoal/xds through their client entry points, so a client process loads fewer modules at start-up.

// The mesh-aware client: xds:///host:port and interface-name targets.
export type { CallDecision } from './client/call-decision.js';
export { effectiveTimeoutMs } from './client/call-timeout.js';
export {
  createMeshClient,
  MESH_TRANSPORT,
  type MeshClient,
  type MeshClientOptions,
  meshTransportOf,
} from './client/create-mesh-client.js';
export { MeshTransport, type MeshTransportOptions } from './client/mesh-transport.js';
export { type MeshTarget, parseMeshTarget } from './client/target.js';
// Config assembly (gRFC A74 idea): LDS → RDS → CDS → EDS into one complete, immutable snapshot.
export { type DependencyManagerOptions, XdsDependencyManager } from './config/dependency-manager.js';
export { endpointsFromAssignment } from './config/endpoints.js';
export type { ClusterConfig, MeshConfig, MeshConfigUpdate } from './config/mesh-config.js';
export { StaticResourceSource } from './config/static-resource-source.js';
export type { ResourceWatcher, ResourceWatcherSource } from './config/watch-source.js';
// HTTP filters as plug-ins (gRFC A39): what a filter type builds, and the client's registry.
export { faultFilter } from './filters/fault-filter.js';
export type {
  FilterCall,
  FilterContext,
  FilterInterceptor,
  HttpFilterPlugin,
  HttpFilterPlugins,
  ServerFacts,
  ServerFilterContext,
} from './filters/http-filter.js';
export { createHttpFilterRegistry } from './filters/http-filter-registry.js';
export { routerFilter } from './filters/router-filter.js';
// Load balancing: endpoints, policies, the registry, priority/locality picking, request hashing.
export { ClusterBalancer, type ClusterBalancerOptions } from './lb/cluster-balancer.js';
export {
  createEndpoint,
  endpointKey,
  isUsableHealth,
  type Locality,
  localityKey,
  type MeshEndpoint,
  type MeshEndpointInit,
} from './lb/endpoint.js';
export { createLbPolicyRegistry, LbPolicyRegistry } from './lb/lb-policy-registry.js';
export { type LeastRequestConfig, LeastRequestPicker, leastRequestPolicy } from './lb/least-request.js';
export {
  buildLocalityPicker,
  LocalityPicker,
  type LocalityPickerOptions,
  type LocalityPickerState,
} from './lb/locality-picker.js';
export { type MaglevConfig, MaglevPicker, maglevPolicy } from './lb/maglev.js';
export {
  type EjectionEvent,
  type EjectionReason,
  OutlierDetector,
  type OutlierDetectorOptions,
  type OutlierOutcome,
  outcomeFromCode,
} from './lb/outlier-detector.js';
export type { BuildOptions, LbPolicy, LbPolicyFactory, Pick, PickContext, Picker } from './lb/picker.js';
export { randomPolicy } from './lb/random.js';
export {
  CHANNEL_ID_KEY,
  RequestHasher,
  type RequestHeaderSource,
} from './lb/request-hash.js';
export { parseRingHashConfig, type RingHashConfig, RingHashPicker, ringHashPolicy } from './lb/ring-hash.js';
export { roundRobinPolicy } from './lb/round-robin.js';
export { ShortestResponsePicker, shortestResponsePolicy } from './lb/shortest-response.js';
export { xxHash64 } from './lb/xxhash64.js';
// Resilience: circuit breaking, outlier detection, retries, fault injection, and their clock.
export {
  CircuitBreaker,
  type CircuitBreakerThresholds,
  type Release,
} from './resilience/circuit-breaker.js';
export {
  type FaultDecision,
  FaultGauge,
  FaultInjector,
  type HeaderSource,
} from './resilience/fault-injector.js';
export {
  type AttemptContext,
  backoffMs,
  type RetryInfo,
  type RetryOptions,
  runWithRetries,
} from './resilience/retry-policy.js';
// Routing (gRFC A28): virtual host by domain, compiled route tables, header matching.
export { type HasDomains, selectVirtualHost } from './routing/domain-match.js';
export { readsDubboArguments, withDubboArguments } from './routing/dubbo-arguments.js';
export {
  compileHeaderMatcher,
  compileHeaderMatchers,
  type HeaderLookup,
  type HeaderPredicate,
  headerValueForMatching,
} from './routing/header-match.js';
export {
  compilePathMatcher,
  type PathPredicate,
  type RouteEntry,
  RouteTable,
} from './routing/route-table.js';
export { type Clock, ManualClock, sleep, systemClock, type TimerHandle } from './support/clock.js';
export { type Random, seededRandom } from './support/random-source.js';
