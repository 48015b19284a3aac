// Dubbo's routes of one listener as Envoy routes: the path regex and header matchers of each
// decision, weighted clusters of dubbo subsets, the configurators' timeout (max_stream_duration,
// gRFC A31) and retries (gRFC A44). Everything a route carries is read by gRPC's proxyless clients;
// only `:dubbo-argument-N` matchers need Shoal's mesh (see @shoal/xds dubbo-arguments.ts).
// Dubbo: timeout (ms) and retries (extra attempts, failover cluster) of the consumer URL.

import { create } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';
import type { HTTPRoute } from '../config/networking-types.js';
import { buildRouteAction, type RouteContext } from '../translate/route-action.js';
import { buildRouteMatch, headerMatcher } from '../translate/route-match.js';
import { dubboConsumerOf } from './dubbo-params.js';
import { type DubboRoute, planDubboRoutes } from './dubbo-routes.js';

/** Dubbo's failover retries on what gRPC calls retryable (the call never reached the method, or timed out). */
const DUBBO_RETRY_ON = 'connect-failure,refused-stream,unavailable,deadline-exceeded,resource-exhausted';

function asHttpRoute(route: DubboRoute, ctx: RouteContext): HTTPRoute {
  return {
    route: route.destinations.map((d) => ({
      destination: { host: ctx.host, port: { number: ctx.port }, ...(d.subset ? { subset: d.subset } : {}) },
      weight: d.weight,
    })),
    ...(route.timeoutMs ? { timeout: `${route.timeoutMs}ms` } : {}),
    ...(route.retries !== undefined ? { retries: { attempts: route.retries, retryOn: DUBBO_RETRY_ON } } : {}),
  };
}

/** The routes Dubbo's rules give this listener and client; undefined when none covers them. */
export function buildDubboRoutes(ctx: RouteContext): envoy.Route[] | undefined {
  const index = ctx.index;
  if (!ctx.client) return undefined;
  const endpoints = index.endpoints(ctx.host, ctx.port);
  // A Dubbo provider URL's timeout is its consumers' (registry/zookeeper/dubbo-instances.ts).
  if (index.dubbo.empty && !endpoints.some((ep) => ep.labels.timeout !== undefined)) return undefined;
  const planned = planDubboRoutes({
    host: ctx.host,
    ...(ctx.iface ? { iface: ctx.iface } : {}),
    interfaces: index.interfacesOf(ctx.host),
    consumer: dubboConsumerOf(ctx.client),
    rules: index.dubbo,
    endpoints,
  });
  if (!planned) return undefined;
  const routes: envoy.Route[] = [];
  for (const r of planned) {
    const match = buildRouteMatch(
      r.match.pathRegex === undefined ? undefined : { uri: { regex: r.match.pathRegex } },
    );
    for (const h of r.match.headers) match.headers.push(headerMatcher(h.name.toLowerCase(), h.match, false));
    const action = buildRouteAction(asHttpRoute(r, ctx), ctx);
    if (!action) continue;
    routes.push(create(envoy.RouteSchema, { name: r.name, match, action: { case: 'route', value: action } }));
  }
  return routes;
}
