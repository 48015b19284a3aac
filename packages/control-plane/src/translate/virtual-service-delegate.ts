// Istio's VirtualService delegation: an http route of a root VirtualService with
// `delegate: {name, namespace}` stands for the routes of that delegate VirtualService (one with no
// hosts), each matched under the root route's match. As in istiod, a delegate route's matches are
// merged with the root route's: the root's uri must contain the delegate's (a delegate's exact or
// prefix uri inside the root's prefix, or the root's exact uri itself), headers and the other
// conditions are combined, and a pair that contradicts itself matches nothing and is left out.
// A delegate's own destinations resolve in its namespace. A missing delegate gives no routes
// (`shoal validate` and the analysis warn); delegation is one level deep (the validator refuses a
// delegate that delegates).
// Istio: networking.v1.Delegate, pilot's mergeVirtualServicesIfNeeded / mergeHTTPMatchRequests.

import type { HTTPMatchRequest, HTTPRoute, StringMatch } from '../config/networking-types.js';
import type { ServiceIndex } from './service-index.js';

export interface DelegatedRoutes {
  /** The delegate's namespace, where its short hosts resolve. */
  readonly namespace: string;
  readonly name: string;
  readonly routes: HTTPRoute[];
}

/** The delegate's routes with matches merged under `root`'s, or undefined when it does not exist. */
export function delegatedRoutes(
  root: HTTPRoute,
  rootNamespace: string,
  index: ServiceIndex,
): DelegatedRoutes | undefined {
  const name = root.delegate?.name;
  if (!name) return undefined;
  const namespace = root.delegate?.namespace || rootNamespace;
  const vs = index.virtualServiceNamed(name, namespace);
  if (!vs || (vs.spec.hosts?.length ?? 0) > 0) return undefined;
  const routes: HTTPRoute[] = [];
  (vs.spec.http ?? []).forEach((r, j) => {
    if (r.delegate) return; // one level only, as in Istio
    const match = mergeMatches(root.match, r.match);
    if (match === null) return;
    // Named after the delegate's own rule (`name.index`), as its rules are written.
    routes.push({ ...r, name: r.name ?? `${name}.${j}`, ...(match !== undefined ? { match } : {}) });
  });
  return { namespace, name, routes };
}

/** The merged matches; undefined when neither has any, null when every pair conflicts. */
function mergeMatches(
  root: HTTPMatchRequest[] | undefined,
  delegate: HTTPMatchRequest[] | undefined,
): HTTPMatchRequest[] | undefined | null {
  if (!root?.length) return delegate?.length ? delegate : undefined;
  if (!delegate?.length) return root;
  const out: HTTPMatchRequest[] = [];
  for (const r of root) {
    for (const d of delegate) {
      const m = mergeMatch(r, d);
      if (m) out.push(m);
    }
  }
  return out.length > 0 ? out : null;
}

function mergeMatch(r: HTTPMatchRequest, d: HTTPMatchRequest): HTTPMatchRequest | undefined {
  const uri = mergeUri(r.uri, d.uri);
  if (uri === null) return undefined;
  const out: HTTPMatchRequest = { ...r, ...d };
  if (uri) out.uri = uri;
  for (const field of ['headers', 'withoutHeaders', 'queryParams'] as const) {
    const merged = mergeMaps(r[field], d[field]);
    if (merged === null) return undefined;
    if (merged) out[field] = merged;
  }
  for (const field of ['method', 'authority', 'scheme'] as const) {
    if (r[field] && d[field] && !sameMatch(r[field], d[field])) return undefined;
    const v = r[field] ?? d[field];
    if (v) out[field] = v;
  }
  for (const field of ['port', 'sourceNamespace'] as const) {
    if (r[field] !== undefined && d[field] !== undefined && r[field] !== d[field]) return undefined;
  }
  if (r.port !== undefined) out.port = r.port;
  if (r.sourceNamespace !== undefined) out.sourceNamespace = r.sourceNamespace;
  const labels = mergeMaps(r.sourceLabels, d.sourceLabels);
  if (labels === null) return undefined;
  if (labels) out.sourceLabels = labels;
  return out;
}

/** The delegate's uri when the root's contains it; null when it does not. */
function mergeUri(r: StringMatch | undefined, d: StringMatch | undefined): StringMatch | undefined | null {
  if (!r) return d;
  if (!d) return r;
  if (r.prefix !== undefined) {
    if (d.exact !== undefined) return d.exact.startsWith(r.prefix) ? d : null;
    if (d.prefix !== undefined) return d.prefix.startsWith(r.prefix) ? d : null;
    return null;
  }
  if (r.exact !== undefined) {
    if (d.exact !== undefined) return d.exact === r.exact ? r : null;
    if (d.prefix !== undefined) return r.exact.startsWith(d.prefix) ? r : null;
    return null;
  }
  return sameMatch(r, d) ? r : null;
}

function mergeMaps<V>(
  a: Record<string, V> | undefined,
  b: Record<string, V> | undefined,
): Record<string, V> | undefined | null {
  if (!a) return b;
  if (!b) return a;
  for (const [k, v] of Object.entries(b)) if (k in a && !sameMatch(a[k], v)) return null;
  return { ...a, ...b };
}

function sameMatch(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
