// Dubbo's mesh rules (service.dubbo.apache.org/v1alpha1) as the Istio objects the translator
// already turns into xDS. A DestinationRule has Istio's shape. A VirtualService's `dubbo` routes
// become HTTP routes: `services` and the method's `name_match` a path regex, attachments
// (dubboContext) and headers header matchers, method arguments `:dubbo-argument-N` matchers,
// sourceLabels as they are; a destination whose subset has no usable instance takes its
// `fallback`; a request no route matches goes to every instance of the host, as in Dubbo.
// Dubbo: VirtualServiceRule, DubboRoute, DubboRouteDetail, DubboMatchRequest, DubboMethodArg,
// DubboDestination.fallback (StandardMeshRuleRouter).

import { dubboArgumentHeader } from '@shoal/xds/plugins';
import type { ConfigObject } from '../config/config-object.js';
import { resolveShortName } from '../config/hostnames.js';
import type {
  HTTPMatchRequest,
  HTTPRoute,
  HTTPRouteDestination,
  StringMatch,
} from '../config/networking-types.js';
import type { MeshEndpoint } from '../translate/mesh-input.js';
import { escapeRe2, intRangeRegex } from './glob-regex.js';
import type {
  DubboDestination,
  DubboMatchRequest,
  DubboMethodArg,
  DubboRouteDestination,
  DubboStringMatch,
} from './rule-types.js';

export function dubboDestinationRuleAsIstio(
  o: ConfigObject<'DubboDestinationRule'>,
): ConfigObject<'DestinationRule'> {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: o.metadata,
    spec: o.spec,
  };
}

/** A Dubbo StringMatch as a regex over one path segment (or a whole header value). */
function segmentRegex(m: DubboStringMatch | undefined, any = '[^/]+'): string | null {
  if (!m) return any;
  if (m.exact !== undefined) return escapeRe2(m.exact);
  if (m.prefix !== undefined) return `${escapeRe2(m.prefix)}${any === '[^/]+' ? '[^/]*' : '.*'}`;
  if (m.regex !== undefined) return `(?:${m.regex})`;
  if (m.wildcard !== undefined) return m.wildcard === '*' ? any : escapeRe2(m.wildcard);
  if (m.noempty !== undefined) return any;
  return null; // `empty`: a service or method always has a name
}

function headerMatch(m: DubboStringMatch): StringMatch | null {
  if (m.exact !== undefined) return { exact: m.exact };
  if (m.prefix !== undefined) return { prefix: m.prefix };
  if (m.regex !== undefined) return { regex: m.regex };
  if (m.wildcard !== undefined) return m.wildcard === '*' ? {} : { exact: m.wildcard };
  if (m.noempty !== undefined) return { regex: '.+' };
  return null; // `empty` (absent or empty) has no positive matcher
}

function argumentMatch(a: DubboMethodArg): StringMatch | null {
  if (a.str_value) {
    const parts = a.str_value.oneof.map((s) => segmentRegex(s, '.*'));
    return parts.includes(null) ? null : { regex: parts.length === 1 ? parts[0]! : `(?:${parts.join('|')})` };
  }
  if (a.num_value) {
    const parts = a.num_value.oneof.flatMap((d) => {
      if (d.exact !== undefined)
        return [Number.isInteger(d.exact) ? intRangeRegex(d.exact, d.exact) : escapeRe2(String(d.exact))];
      if (d.range && Number.isInteger(d.range.start ?? 0) && Number.isInteger(d.range.end ?? 0))
        return [intRangeRegex(d.range.start, d.range.end === undefined ? undefined : d.range.end - 1)];
      return [];
    });
    return parts.length === 0 ? null : { regex: `(?:${parts.join('|')})` };
  }
  if (a.bool_value?.exact !== undefined) return { exact: String(a.bool_value.exact) };
  return null;
}

function httpMatch(service: string, m: DubboMatchRequest | undefined): HTTPMatchRequest | null {
  const method = segmentRegex(m?.method?.name_match);
  if (method === null) return null;
  const headers: Record<string, StringMatch> = {};
  for (const [name, s] of Object.entries({ ...m?.attachments?.dubboContext, ...m?.headers })) {
    const hm = headerMatch(s);
    if (!hm) return null;
    headers[name.toLowerCase()] = hm;
  }
  for (const a of m?.method?.args ?? []) {
    const am = argumentMatch(a);
    if (!am) return null;
    headers[dubboArgumentHeader(a.index)] = am;
  }
  return {
    uri: { regex: `(?i)/(?:${service})/(?:${method})` },
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(m?.sourceLabels ? { sourceLabels: m.sourceLabels } : {}),
  };
}

/** What the index tells about hosts: their usable instances in a DestinationRule subset. */
export interface SubsetLookup {
  hasUsableEndpoints(host: string, port: number | undefined, subset: string | undefined): boolean;
}

function destination(d: DubboDestination, ns: string, lookup: SubsetLookup): DubboDestination {
  const host = resolveShortName(d.host, ns);
  if (d.fallback && !lookup.hasUsableEndpoints(host, d.port, d.subset))
    return destination(d.fallback.destination, ns, lookup);
  return { ...d, host };
}

function routeDestination(r: DubboRouteDestination, ns: string, lookup: SubsetLookup): HTTPRouteDestination {
  const d = destination(r.destination, ns, lookup);
  return {
    destination: {
      host: d.host,
      ...(d.subset ? { subset: d.subset } : {}),
      ...(d.port ? { port: { number: d.port } } : {}),
    },
    ...(r.weight !== undefined ? { weight: r.weight } : {}),
  };
}

export function dubboVirtualServiceAsIstio(
  o: ConfigObject<'DubboVirtualService'>,
  lookup: SubsetLookup,
): ConfigObject<'VirtualService'> {
  const ns = o.metadata.namespace;
  const http: HTTPRoute[] = [];
  for (const route of o.spec.dubbo) {
    const services = (route.services ?? [undefined])
      .map((s) => segmentRegex(s))
      .filter((s): s is string => s !== null);
    route.routedetail.forEach((detail, i) => {
      const matches = services.flatMap((svc) =>
        (detail.match?.length ? detail.match : [undefined]).flatMap((m) => httpMatch(svc, m) ?? []),
      );
      if (matches.length === 0) return;
      http.push({
        name: detail.name ?? `${route.name ?? 'dubbo'}.${i}`,
        match: matches,
        route: detail.route.map((r) => routeDestination(r, ns, lookup)),
      });
    });
  }
  // Dubbo: a request no route matches keeps every instance.
  const host = o.spec.hosts[0];
  if (host)
    http.push({ name: 'dubbo-default', route: [{ destination: { host: resolveShortName(host, ns) } }] });
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: o.metadata,
    spec: { hosts: o.spec.hosts, http },
  };
}

/** Usable instances of a host in a subset of its DestinationRule. */
export function usableIn(
  endpoints: readonly MeshEndpoint[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const selector = Object.entries(labels ?? {});
  return endpoints.some(
    (ep) =>
      (ep.health === undefined || ep.health === 'HEALTHY') && selector.every(([k, v]) => ep.labels[k] === v),
  );
}
