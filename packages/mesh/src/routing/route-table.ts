// A virtual host's routes compiled for matching (gRFC A28; Envoy: route.v3.Route, RouteMatch,
// WeightedCluster). Compiled once per config snapshot: regexes built, header matchers turned into
// predicates, weighted-cluster sums precomputed. Per call the first route that matches wins.
// Path: `prefix`, `path` (exact) or `safe_regex` (whole path); case_sensitive=false lowers both
// sides for prefix and path. Routes with query-parameter matchers never match, since gRPC calls
// have no query string (as gRPC does). runtime_fraction matches that share of calls, per million.

import type { XdsClusterWeight, XdsRoute, XdsRouteMatch, XdsVirtualHost } from '@shoal/xds/plugins';
import { compileRe2 } from '@shoal/xds/plugins';
import type { Random } from '../support/random-source.js';
import { readsDubboArguments } from './dubbo-arguments.js';
import { compileHeaderMatchers, type HeaderLookup } from './header-match.js';

/** A compiled route: its match predicates and action. */
export interface RouteEntry {
  /** Position in the virtual host's route list. */
  readonly index: number;
  /** The route's name, or `routes[index]` when it has none. */
  readonly name: string;
  readonly route: XdsRoute;
  /** Whether this route takes the call; `random` is drawn only for runtime_fraction. */
  matches(path: string, headers: HeaderLookup, random: Random): boolean;
  /** The cluster for a call on this route (weighted pick), or undefined for non-forwarding routes. */
  pickCluster(random: Random): XdsClusterWeight | undefined;
}

export type PathPredicate = (path: string) => boolean;

/** Compiles a route's path condition. */
export function compilePathMatcher(match: XdsRouteMatch): PathPredicate {
  const p = match.path;
  const lower = !match.caseSensitive;
  switch (p.kind) {
    case 'prefix': {
      if (p.prefix === '' || p.prefix === '/') return () => true;
      if (!lower) return (path) => path.startsWith(p.prefix);
      const want = p.prefix.toLowerCase();
      return (path) => path.toLowerCase().startsWith(want);
    }
    case 'path': {
      if (!lower) return (path) => path === p.path;
      const want = p.path.toLowerCase();
      return (path) => path.toLowerCase() === want;
    }
    case 'safe_regex': {
      const re = compileRe2(p.regex);
      if (typeof re === 'string') return () => false;
      return (path) => re.test(path);
    }
  }
}

function compileRoute(route: XdsRoute, index: number): RouteEntry {
  const m = route.match;
  const never = m.queryParameters.length > 0;
  const path = compilePathMatcher(m);
  const headers = compileHeaderMatchers(m.headers);
  const fraction = m.fractionPerMillion;
  const action = route.action;
  let pickCluster: RouteEntry['pickCluster'] = () => undefined;
  if (action.kind === 'route') {
    const clusters = action.clusters;
    if (clusters.length === 1) {
      const only = clusters[0]!;
      pickCluster = () => only;
    } else {
      const cumulative = new Float64Array(clusters.length);
      clusters.reduce((sum, c, i) => (cumulative[i] = sum + c.weight), 0);
      const total = action.totalWeight;
      pickCluster = (random) => {
        const r = random() * total;
        for (let i = 0; i < cumulative.length; i++) if (r < cumulative[i]!) return clusters[i];
        return clusters[clusters.length - 1];
      };
    }
  }
  return {
    index,
    name: route.name || `routes[${index}]`,
    route,
    matches: (p, h, random) => {
      if (never || !path(p) || !headers(h)) return false;
      if (fraction === undefined) return true;
      if (fraction >= 1_000_000) return true;
      return Math.floor(random() * 1_000_000) < fraction;
    },
    pickCluster,
  };
}

/**
 * A virtual host's routes compiled for matching: the first route whose path, headers and fraction match (gRFC
 * A28).
 */
export class RouteTable {
  readonly routes: readonly RouteEntry[];
  /** Some route matches Dubbo's arguments (`:dubbo-argument-N`): calls need their message looked at. */
  readonly readsArguments: boolean;

  constructor(readonly virtualHost: XdsVirtualHost) {
    this.routes = virtualHost.routes.map(compileRoute);
    this.readsArguments = readsDubboArguments(
      virtualHost.routes.flatMap((r) => r.match.headers.map((h) => h.name)),
    );
  }

  /** The first route that matches, or undefined. */
  match(path: string, headers: HeaderLookup, random: Random): RouteEntry | undefined {
    for (const r of this.routes) if (r.matches(path, headers, random)) return r;
    return undefined;
  }
}
