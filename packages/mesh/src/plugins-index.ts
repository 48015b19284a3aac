// Public API of the `@shoal/mesh/plugins` entry point: what libraries that extend or drive the
// data plane need (an application needs only `@shoal/mesh`). The plug-in points are HTTP filters
// and LB policies, each registered by a `register…()` call on a registry the caller owns.

// Config assembly (gRFC A74): LDS → RDS → CDS → EDS into one immutable snapshot, from a live xDS
// client or from resources held in memory.
export { type DependencyManagerOptions, XdsDependencyManager } from './config/dependency-manager.js';
export type { ClusterConfig, MeshConfig, MeshConfigUpdate } from './config/mesh-config.js';
export { StaticResourceSource } from './config/static-resource-source.js';
export type { ResourceWatcher, ResourceWatcherSource } from './config/watch-source.js';
// HTTP filters as plug-ins (gRFC A39): what a filter type builds, the client's registry and the
// built-in router and fault filters.
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
// LB policies (gRFC A52, A42, A48): what a policy builds, the endpoint it sees, the registry, and
// the balancer of one cluster (priorities, localities, outlier ejection).
export { ClusterBalancer, type ClusterBalancerOptions } from './lb/cluster-balancer.js';
export type { MeshEndpoint } from './lb/endpoint.js';
export { createLbPolicyRegistry, LbPolicyRegistry } from './lb/lb-policy-registry.js';
export type { BuildOptions, LbPolicy, LbPolicyFactory, Pick, PickContext, Picker } from './lb/picker.js';
// Routing (gRFC A28): the compiled route table a client matches calls on, and Dubbo's arguments[N].
export { withDubboArguments } from './routing/dubbo-arguments.js';
export { type RouteEntry, RouteTable } from './routing/route-table.js';
// The server's HTTP filters: RBAC (gRFC A41) and the server's registry (router, fault, RBAC).
export { rbacFilter } from './server/rbac-filter.js';
export { createServerHttpFilterRegistry } from './server/server-filter-registry.js';
