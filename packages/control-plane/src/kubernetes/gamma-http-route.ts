// Gateway API HTTPRoutes in the GAMMA mesh profile: a route whose parentRef is a Service applies to
// calls to that Service. Each becomes a VirtualService for the Service's host, as istiod converts
// Gateway API routes to its own model: matches (path Exact/PathPrefix/RegularExpression, headers,
// query parameters, method), weighted backendRefs to Services, and the request timeout. Filters
// Shoal does not apply are reported, not dropped silently. The VirtualService is then validated
// like any other. Gateway API: HTTPRoute v1 (gateway.networking.k8s.io), GEP-1426 (GAMMA).

import { kubernetesServiceHost } from '../config/hostnames.js';

interface RouteMatch {
  path?: { type?: string; value?: string };
  headers?: { type?: string; name: string; value: string }[];
  queryParams?: { type?: string; name: string; value: string }[];
  method?: string;
}

interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
}

export interface HttpRouteObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    parentRefs?: { group?: string; kind?: string; name: string; namespace?: string; port?: number }[];
    rules?: {
      matches?: RouteMatch[];
      backendRefs?: BackendRef[];
      filters?: { type: string }[];
      timeouts?: { request?: string };
    }[];
  };
}

/** The annotation naming the HTTPRoute a VirtualService was made from. */
export const FROM_ANNOTATION = 'shoal.io/from';

/** A parentRef's kind defaults to Gateway: only an explicit Service binds a route to the mesh. */
const isService = (ref: { group?: string; kind?: string }) =>
  ref.kind === 'Service' && (ref.group ?? '') === '';

/** VirtualService documents for the Service parents of `route` (none for a route bound to a Gateway). */
export function virtualServicesFromHttpRoute(
  route: HttpRouteObject,
  domainSuffix?: string,
): { documents: Record<string, unknown>[]; warnings: string[] } {
  const name = route.metadata?.name ?? '';
  const namespace = route.metadata?.namespace ?? 'default';
  const warnings: string[] = [];
  const parents = (route.spec?.parentRefs ?? []).filter(isService);
  const host = (svc: string, ns?: string) => kubernetesServiceHost(svc, ns ?? namespace, domainSuffix);
  const http = (route.spec?.rules ?? []).map((rule, i) => {
    for (const f of rule.filters ?? [])
      warnings.push(`rules[${i}].filters: ${f.type} is not applied by Shoal`);
    const matches = (rule.matches ?? []).map(matchOf);
    const backends = (rule.backendRefs ?? []).filter((b) => {
      if ((b.kind ?? 'Service') === 'Service' && (b.group ?? '') === '') return true;
      warnings.push(`rules[${i}].backendRefs: ${b.kind}/${b.name} is not a Service; left out`);
      return false;
    });
    const total = backends.reduce((sum, b) => sum + (b.weight ?? 1), 0);
    return {
      ...(matches.length > 0 && { match: matches }),
      route: backends.map((b) => ({
        destination: {
          host: host(b.name, b.namespace),
          ...(b.port !== undefined && { port: { number: b.port } }),
        },
        // Gateway API weights are relative; a VirtualService's add up to 100.
        ...(backends.length > 1 && { weight: total > 0 ? Math.round(((b.weight ?? 1) * 100) / total) : 0 }),
      })),
      ...(rule.timeouts?.request && rule.timeouts.request !== '0s' && { timeout: rule.timeouts.request }),
    };
  });
  const documents = parents.map((parent) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: {
      // Named apart from VirtualServices of the same name (istiod suffixes its generated ones too).
      name: parents.length > 1 ? `${name}-${parent.name}-httproute` : `${name}-httproute`,
      namespace,
      annotations: { [FROM_ANNOTATION]: `HTTPRoute/${namespace}/${name}` },
    },
    spec: { hosts: [host(parent.name, parent.namespace)], http },
  }));
  return { documents, warnings };
}

function matchOf(m: RouteMatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (m.path?.value !== undefined) {
    const type = m.path.type ?? 'PathPrefix';
    out.uri =
      type === 'Exact'
        ? { exact: m.path.value }
        : type === 'RegularExpression'
          ? { regex: m.path.value }
          : { prefix: m.path.value };
  }
  if (m.headers?.length) {
    out.headers = Object.fromEntries(
      m.headers.map((h) => [
        h.name.toLowerCase(),
        h.type === 'RegularExpression' ? { regex: h.value } : { exact: h.value },
      ]),
    );
  }
  if (m.queryParams?.length) {
    out.queryParams = Object.fromEntries(
      m.queryParams.map((q) => [
        q.name,
        q.type === 'RegularExpression' ? { regex: q.value } : { exact: q.value },
      ]),
    );
  }
  if (m.method) out.method = { exact: m.method };
  return out;
}
