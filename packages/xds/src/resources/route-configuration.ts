// RDS: Envoy's route.v3.RouteConfiguration decoded and validated into a plain model
// (gRFC A28 routing, A31 timeouts, A39 filter overrides, A44 retries, A36 non-forwarding routes;
// Envoy's header mutations at each level and direct_response, which Shoal's mesh client applies).
import type { JsonObject } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import type {
  DirectResponseAction,
  Route,
  VirtualHost,
} from '../gen/envoy/config/route/v3/route_components_pb.js';
import { type RouteConfiguration, RouteConfigurationSchema } from '../gen/envoy/config/route/v3/route_pb.js';
import { at, type DecodeResult, finish, index, Problems, resourceMessage } from './decode-result.js';
import { decodeHeaderRules, type XdsHeaderRules } from './header-mutations.js';
import {
  createDefaultHttpFilterRegistry,
  decodeFilterOverrides,
  type HttpFilterRegistry,
  type XdsFilterOverride,
} from './http-filters.js';
import { decodeRetryPolicy, type XdsRetryPolicy } from './retry-policy.js';
import { decodeRouteAction, type XdsRouteAction } from './route-action.js';
import { decodeRouteMatch, type XdsRouteMatch } from './route-match.js';
import { metadataToModel } from './values.js';

/** A route: a match and what to do with matching calls. */
export interface XdsRoute {
  readonly name: string;
  readonly match: XdsRouteMatch;
  readonly action: XdsRouteAction;
  readonly filterOverrides: Readonly<Record<string, XdsFilterOverride>>;
  readonly metadata: Readonly<Record<string, JsonObject>>;
  /** Header mutations of this route (after the weighted cluster's, before the virtual host's). */
  readonly headers: XdsHeaderRules;
}

/** A virtual host: the routes for a set of domains (`*`, `*.suffix`, `prefix.*` or exact). */
export interface XdsVirtualHost {
  readonly name: string;
  readonly domains: readonly string[];
  readonly routes: readonly XdsRoute[];
  /** Applies to routes without their own retry policy. */
  readonly retryPolicy?: XdsRetryPolicy;
  readonly filterOverrides: Readonly<Record<string, XdsFilterOverride>>;
  readonly headers: XdsHeaderRules;
}

/** A validated RouteConfiguration. */
export interface XdsRouteConfiguration {
  readonly name: string;
  readonly virtualHosts: readonly XdsVirtualHost[];
  /** Header mutations for every route (applied last). */
  readonly headers: XdsHeaderRules;
}

/** Options shared by the decoders that read HTTP filter configs. */
export interface HttpDecodeOptions {
  /** The HTTP filters understood; defaults to {@link createDefaultHttpFilterRegistry}. */
  readonly httpFilters?: HttpFilterRegistry;
}

/** Decodes an RDS resource (an Any or the message bytes). */
export function decodeRouteConfiguration(
  resource: Any | Uint8Array,
  options: HttpDecodeOptions = {},
): DecodeResult<XdsRouteConfiguration> {
  const m = resourceMessage(resource, RouteConfigurationSchema);
  if ('failure' in m) return m.failure;
  const problems = new Problems();
  const registry = options.httpFilters ?? createDefaultHttpFilterRegistry();
  const value = validateRouteConfiguration(m.message, registry, '', problems);
  if (m.message.name === '') problems.add('name', 'must not be empty');
  return finish(m.message.name, value, problems);
}

/** Validates a RouteConfiguration message (also used for HttpConnectionManager.route_config). Internal. */
export function validateRouteConfiguration(
  rc: RouteConfiguration,
  registry: HttpFilterRegistry,
  path: string,
  problems: Problems,
): XdsRouteConfiguration {
  const seenDomains = new Map<string, number>();
  const virtualHosts = rc.virtualHosts.map((vh, i) => {
    const p = index(at(path, 'virtual_hosts'), i);
    vh.domains.forEach((d, j) => {
      const dp = index(at(p, 'domains'), j);
      const problem = domainProblem(d);
      if (problem) problems.add(dp, problem);
      const other = seenDomains.get(d.toLowerCase());
      if (other !== undefined)
        problems.add(dp, `domain ${JSON.stringify(d)} is also in virtual_hosts[${other}]`);
      seenDomains.set(d.toLowerCase(), i);
    });
    if (vh.domains.length === 0) problems.add(at(p, 'domains'), 'at least one domain is required');
    return decodeVirtualHost(vh, registry, p, problems);
  });
  const headers = decodeHeaderRules(rc, path, problems);
  return { name: rc.name, virtualHosts, headers };
}

function domainProblem(d: string): string | undefined {
  if (d === '') return 'must not be empty';
  if (d === '*') return undefined;
  const stars = d.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !d.startsWith('*') && !d.endsWith('*'))) {
    return `${JSON.stringify(d)}: a wildcard may only be the first or last character`;
  }
  return undefined;
}

function decodeVirtualHost(vh: VirtualHost, registry: HttpFilterRegistry, path: string, problems: Problems) {
  const routes: XdsRoute[] = [];
  vh.routes.forEach((r, i) => {
    const route = decodeRoute(r, registry, index(at(path, 'routes'), i), problems);
    if (route) routes.push(route);
  });
  const retryPolicy = vh.retryPolicy
    ? decodeRetryPolicy(vh.retryPolicy, at(path, 'retry_policy'), problems)
    : undefined;
  const filterOverrides = decodeFilterOverrides(
    vh.typedPerFilterConfig,
    registry,
    at(path, 'typed_per_filter_config'),
    problems,
  );
  return {
    name: vh.name,
    domains: vh.domains.map((d) => d.toLowerCase()),
    routes,
    ...(retryPolicy && { retryPolicy }),
    filterOverrides,
    headers: decodeHeaderRules(vh, path, problems),
  };
}

function decodeRoute(
  r: Route,
  registry: HttpFilterRegistry,
  path: string,
  problems: Problems,
): XdsRoute | undefined {
  const match = decodeRouteMatch(r.match, at(path, 'match'), problems);
  let action: XdsRouteAction | undefined;
  const a = r.action;
  switch (a.case) {
    case 'route': {
      const decoded = decodeRouteAction(a.value, registry, at(path, 'route'), problems);
      if (decoded === null) return undefined; // gRPC ignores routes it cannot pick a cluster for
      action = decoded;
      break;
    }
    case 'nonForwardingAction':
      action = { kind: 'non_forwarding' };
      break;
    case 'directResponse':
      action = decodeDirectResponse(a.value, at(path, 'direct_response'), problems);
      break;
    case 'redirect':
    case 'filterAction':
      action = { kind: 'unsupported', action: snake(a.case) };
      break;
    default:
      problems.add(path, 'action is required (route or non_forwarding_action)');
  }
  const filterOverrides = decodeFilterOverrides(
    r.typedPerFilterConfig,
    registry,
    at(path, 'typed_per_filter_config'),
    problems,
  );
  const headers = decodeHeaderRules(r, path, problems);
  if (!match || !action) return undefined;
  return { name: r.name, match, action, filterOverrides, metadata: metadataToModel(r.metadata), headers };
}

/** Envoy: status in [200, 600); an inline body is kept, a file or environment body is an error. */
function decodeDirectResponse(
  d: DirectResponseAction,
  path: string,
  problems: Problems,
): XdsRouteAction | undefined {
  if (d.status < 200 || d.status >= 600) {
    problems.add(at(path, 'status'), `${d.status} is not in [200, 600)`);
    return undefined;
  }
  const b = d.body?.specifier;
  let body: string | undefined;
  if (b?.case === 'inlineString') body = b.value;
  else if (b?.case === 'inlineBytes') body = new TextDecoder().decode(b.value);
  else if (b?.case !== undefined) {
    problems.add(at(path, 'body'), `a ${snake(b.case)} body cannot be read by a client (inline only)`);
    return undefined;
  }
  return { kind: 'direct_response', status: d.status, ...(body !== undefined && { body }) };
}

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Every cluster name the routes of a configuration can send calls to. */
export function referencedClusters(rc: XdsRouteConfiguration): Set<string> {
  const names = new Set<string>();
  for (const vh of rc.virtualHosts) {
    for (const r of vh.routes) {
      if (r.action.kind !== 'route') continue;
      for (const c of r.action.clusters) names.add(c.name);
      for (const m of r.action.mirrors) names.add(m.cluster);
    }
  }
  return names;
}
