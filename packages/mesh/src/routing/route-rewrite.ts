// Envoy's path and host rewrites for a route (config.route.v3.RouteAction prefix_rewrite,
// regex_rewrite, host_rewrite_literal; WeightedCluster.ClusterWeight host_rewrite_literal), as the
// router applies them to the upstream request. prefix_rewrite replaces the part of the path the
// route's prefix matched; on a path (exact) or regex match it replaces the whole path, as Envoy
// does. regex_rewrite replaces every match of its RE2 pattern (re2::GlobalReplace). A gRPC call
// has no query string, so the whole `:path` is rewritten. Compiled once per route. Internal.

import type { XdsClusterWeight, XdsForwardingAction, XdsRouteMatch } from '@shoal/xds/plugins';
import { compileRe2, re2Substitution } from '@shoal/xds/plugins';

/** The upstream `:path` for a call's path, or undefined when the route rewrites none. */
export type PathRewrite = (path: string) => string;

export function compilePathRewrite(
  match: XdsRouteMatch,
  action: XdsForwardingAction,
): PathRewrite | undefined {
  const prefix = action.prefixRewrite;
  if (prefix !== undefined) {
    const p = match.path;
    if (p.kind !== 'prefix') return () => prefix;
    const n = p.prefix.length;
    return (path) => prefix + path.slice(n);
  }
  const rw = action.regexRewrite;
  if (rw !== undefined) {
    const re = compileRe2(rw.pattern, true);
    if (typeof re === 'string') return undefined; // the decoder refused it already
    const substitution = re2Substitution(rw.substitution);
    return (path) => path.replace(re, substitution);
  }
  return undefined;
}

/** The `:authority` to send: the weighted cluster's host_rewrite_literal, else the route's. */
export function hostRewriteOf(action: XdsForwardingAction, weighted: XdsClusterWeight): string | undefined {
  return weighted.hostRewrite ?? action.hostRewrite;
}
