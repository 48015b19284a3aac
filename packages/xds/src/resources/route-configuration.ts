// RDS: Envoy's route.v3.RouteConfiguration decoded and validated into a plain model
// (gRFC A28 routing, A31 timeouts, A39 filter overrides, A44 retries, A36 non-forwarding routes).
import type { JsonObject } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import type { Route, VirtualHost } from '../gen/envoy/config/route/v3/route_components_pb.js';
import { type RouteConfiguration, RouteConfigurationSchema } from '../gen/envoy/config/route/v3/route_pb.js';
import { at, type DecodeResult, finish, index, Problems, resourceMessage } from './decode-result.js';
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
}

/** A virtual host: the routes for a set of domains (`*`, `*.suffix`, `prefix.*` or exact). */
export interface XdsVirtualHost {
  readonly name: string;
  readonly domains: readonly string[];
  readonly routes: readonly XdsRoute[];
  /** Applies to routes without their own retry policy. */
  readonly retryPolicy?: XdsRetryPolicy;
  readonly filterOverrides: Readonly<Record<string, XdsFilterOverride>>;
}

/** A validated RouteConfiguration. */
export interface XdsRouteConfiguration {
  readonly name: string;
  readonly virtualHosts: readonly XdsVirtualHost[];
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
  return { name: rc.name, virtualHosts };
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
    case 'redirect':
    case 'directResponse':
    case 'filterAction':
      action = {
        kind: 'unsupported',
        action: a.case === 'directResponse' ? 'direct_response' : snake(a.case),
      };
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
  if (!match || !action) return undefined;
  return { name: r.name, match, action, filterOverrides, metadata: metadataToModel(r.metadata) };
}

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Every cluster name the routes of a configuration can send calls to. */
export function referencedClusters(rc: XdsRouteConfiguration): Set<string> {
  const names = new Set<string>();
  for (const vh of rc.virtualHosts) {
    for (const r of vh.routes) {
      if (r.action.kind === 'route') for (const c of r.action.clusters) names.add(c.name);
    }
  }
  return names;
}
