// What a call needs once its route and weighted cluster are drawn, worked out once per config
// snapshot instead of on every call: the cluster's runtime (balancer, circuit breaker) or why it
// cannot take calls, the retry policy (gRFC A44), request hashing (A42), the HTTP filters that run
// on this route and cluster (A39) and the cluster's drop_overloads. Internal to the mesh client.

import type { XdsClusterLoadAssignment, XdsClusterWeight, XdsRetryPolicy } from '@shoal/xds/client';
import type { MeshConfig } from '../config/mesh-config.js';
import { clientFilterChain } from '../filters/filter-chain.js';
import type { FilterContext, FilterInterceptor, HttpFilterPlugins } from '../filters/http-filter.js';
import type { RequestHasher } from '../lb/request-hash.js';
import type { RouteEntry } from '../routing/route-table.js';
import type { CallPolicies } from './call-policies.js';
import type { ClusterRuntime } from './cluster-runtime.js';

export interface CallPlan {
  readonly entry: RouteEntry;
  readonly weighted: XdsClusterWeight;
  readonly runtime: ClusterRuntime;
  readonly retry: XdsRetryPolicy | undefined;
  readonly hasher: RequestHasher | undefined;
  /** The route's HTTP filters, router excluded; empty for most routes. */
  readonly filters: readonly FilterInterceptor[];
  readonly drops: XdsClusterLoadAssignment['dropOverloads'];
}

/** The plans of one snapshot, made on first use; a string says why the cluster takes no calls. */
export class CallPlans {
  private readonly plans = new Map<XdsClusterWeight, CallPlan | string>();

  constructor(
    readonly config: MeshConfig,
    private readonly runtimes: ReadonlyMap<string, ClusterRuntime>,
    private readonly clusterErrors: ReadonlyMap<string, string>,
    private readonly policies: CallPolicies,
    private readonly plugins: HttpFilterPlugins,
    private readonly filterContext: Omit<FilterContext, 'name'>,
  ) {}

  get(entry: RouteEntry, weighted: XdsClusterWeight): CallPlan | string {
    let plan = this.plans.get(weighted);
    if (plan === undefined) {
      plan = this.make(entry, weighted);
      this.plans.set(weighted, plan);
    }
    return plan;
  }

  private make(entry: RouteEntry, weighted: XdsClusterWeight): CallPlan | string {
    const name = weighted.name;
    const cc = this.config.clusters.get(name);
    if (cc === undefined) return `cluster ${JSON.stringify(name)} is not in the config`;
    if (cc.status !== 'ok') return cc.reason;
    const error = this.clusterErrors.get(name);
    if (error !== undefined) return error;
    const runtime = this.runtimes.get(name);
    if (runtime === undefined) return `cluster ${JSON.stringify(name)} is not ready`;
    const route = entry.route;
    const vh = this.config.virtualHost!;
    const action = route.action;
    const filters = clientFilterChain(
      this.config.httpFilters,
      [weighted.filterOverrides, route.filterOverrides, vh.filterOverrides],
      this.plugins,
      this.filterContext,
    );
    if (typeof filters === 'string') return filters;
    return {
      entry,
      weighted,
      runtime,
      retry: this.policies.retryPolicy(route, vh),
      hasher: action.kind === 'route' ? this.policies.hasher(action) : undefined,
      filters,
      drops: cc.assignment?.dropOverloads ?? [],
    };
  }
}
