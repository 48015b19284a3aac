// What a call needs once its route and weighted cluster are drawn, worked out once per config
// snapshot and cluster instead of on every call: the cluster's runtime (balancer, circuit breaker)
// or why it cannot take calls, the retry policy (gRFC A44: the route's, else the virtual host's),
// request hashing (A42, from the route's hash policies), the HTTP filters that run on this route
// and cluster (A39), the cluster's drop_overloads and its TLS (A29), and the router's route-level
// work (Envoy): header mutations of every level, path and host rewrites, and the mirror clusters'
// plans. Internal to the mesh client.

import type { XdsClusterLoadAssignment } from '@shoal/xds/client';
import type { XdsClusterWeight, XdsRetryPolicy, XdsRoute, XdsVirtualHost } from '@shoal/xds/plugins';
import type { MeshConfig } from '../config/mesh-config.js';
import { clientFilterChain } from '../filters/filter-chain.js';
import type { FilterContext, FilterInterceptor, HttpFilterPlugins } from '../filters/http-filter.js';
import { RequestHasher } from '../lb/request-hash.js';
import { type RouteHeaderMutations, routeHeaderMutations } from '../routing/header-mutation.js';
import { compilePathRewrite, hostRewriteOf, type PathRewrite } from '../routing/route-rewrite.js';
import type { RouteEntry } from '../routing/route-table.js';
import type { UpstreamTls } from '../security/upstream-tls.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import type { ClusterRuntimes } from './cluster-runtimes.js';
import type { EndpointTransports } from './endpoint-transports.js';

export interface CallPlan {
  readonly entry: RouteEntry;
  readonly weighted: XdsClusterWeight;
  readonly runtime: ClusterRuntime;
  readonly retry: XdsRetryPolicy | undefined;
  /** Undefined when no hash policy can produce a hash (the picker then draws at random). */
  readonly hasher: RequestHasher | undefined;
  /** The route's HTTP filters, router excluded; empty for most routes. */
  readonly filters: readonly FilterInterceptor[];
  readonly drops: XdsClusterLoadAssignment['dropOverloads'];
  /** Header mutations of the weighted cluster, route, virtual host and route configuration. */
  readonly headers: RouteHeaderMutations;
  /** The upstream `:path`, when the route rewrites it. */
  readonly rewritePath: PathRewrite | undefined;
  /** The upstream `:authority`, when the route or weighted cluster rewrites it. */
  readonly authority: string | undefined;
  /** The route's request_mirror_policies: the share mirrored and the mirror cluster's plan. */
  readonly mirrors: readonly MirrorTarget[];
  /** The cluster's UpstreamTlsContext in force; undefined: plaintext. */
  readonly tls: UpstreamTls | undefined;
}

export interface MirrorTarget {
  readonly cluster: string;
  readonly perMillion: number;
  /** The mirror cluster's plan, or why it takes no calls; made on first use. */
  plan(): CallPlan | string;
}

/** A44: the route's retry policy, else the virtual host's, as decoded. */
export function retryPolicyOf(route: XdsRoute, vh: XdsVirtualHost): XdsRetryPolicy | undefined {
  return (route.action.kind === 'route' ? route.action.retryPolicy : undefined) ?? vh.retryPolicy;
}

/** A42: the route's request hasher, or undefined when it hashes nothing. */
export function requestHasherOf(route: XdsRoute): RequestHasher | undefined {
  if (route.action.kind !== 'route' || route.action.hashPolicies.length === 0) return undefined;
  const hasher = new RequestHasher(route.action.hashPolicies);
  return hasher.empty ? undefined : hasher;
}

/** The plans of one snapshot, made on first use; a string says why the cluster takes no calls. */
export class CallPlans {
  private readonly plans = new Map<XdsClusterWeight, CallPlan | string>();

  constructor(
    readonly config: MeshConfig,
    private readonly runtimes: ClusterRuntimes,
    private readonly endpoints: EndpointTransports,
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
    const runtime = this.runtimes.get(name);
    if (typeof runtime === 'string') return runtime;
    const tls = this.endpoints.tlsOf(name);
    if (typeof tls === 'string') return tls;
    const route = entry.route;
    const vh = this.config.virtualHost!;
    const filters = clientFilterChain(
      this.config.httpFilters,
      [weighted.filterOverrides, route.filterOverrides, vh.filterOverrides],
      this.plugins,
      { ...this.filterContext, cluster: name },
    );
    if (typeof filters === 'string') return filters;
    const action = route.action;
    const forwarding = action.kind === 'route' ? action : undefined;
    return {
      entry,
      weighted,
      runtime,
      retry: retryPolicyOf(route, vh),
      hasher: requestHasherOf(route),
      filters,
      drops: cc.assignment?.dropOverloads ?? [],
      headers: routeHeaderMutations([
        weighted.headers,
        route.headers,
        vh.headers,
        this.config.routeConfig.headers,
      ]),
      rewritePath: forwarding && compilePathRewrite(route.match, forwarding),
      authority: forwarding && hostRewriteOf(forwarding, weighted),
      mirrors: (forwarding?.mirrors ?? []).map((m) => this.mirrorTarget(entry, m.cluster, m.perMillion)),
      tls,
    };
  }

  private mirrorTarget(entry: RouteEntry, cluster: string, perMillion: number): MirrorTarget {
    // The mirror cluster's own plan, under the same route: its runtime, breaker and rewrites.
    const weighted: XdsClusterWeight = { name: cluster, weight: 0, filterOverrides: {}, headers: {} };
    return { cluster, perMillion, plan: () => this.get(entry, weighted) };
  }
}
