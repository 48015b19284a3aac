// RouteConfiguration for one client listener: one virtual host for the dialled host, its routes
// from the host's VirtualService (one Envoy route per match; a delegating route stands for its
// delegate's routes: virtual-service-delegate.ts), or a default route to the host's cluster when
// there is none. Header operations go on each route (and weighted cluster: route-action.ts);
// a directResponse is answered in the client (direct-response.ts).
// Envoy: config.route.v3.RouteConfiguration, VirtualHost, Route; Istio: networking.v1.VirtualService,
// grpcgen's RDS (BuildHTTPRoutes for proxyless gRPC).

import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { envoy } from '@shoal/xds';
import type { HTTPRoute } from '../config/networking-types.js';
import { buildDubboRoutes } from '../dubbo/build-dubbo-routes.js';
import { answerDirectly } from './direct-response.js';
import { buildFault, FAULT_FILTER_NAME } from './fault-config.js';
import { addHeaderOperations } from './header-operations.js';
import { buildRouteAction, type RouteContext } from './route-action.js';
import { buildRouteMatch } from './route-match.js';
import { delegatedRoutes } from './virtual-service-delegate.js';

export interface RouteConfigOptions {
  /** The route config's name (the listener's). */
  name: string;
  domains: string[];
  ctx: Omit<RouteContext, 'configNamespace'>;
}

export function buildRouteConfiguration(options: RouteConfigOptions): envoy.RouteConfiguration {
  const { ctx } = options;
  return create(envoy.RouteConfigurationSchema, {
    name: options.name,
    virtualHosts: [
      create(envoy.VirtualHostSchema, {
        name: `${ctx.host}:${ctx.port}`,
        domains: [...new Set(options.domains)],
        routes: hostRoutes(ctx),
      }),
    ],
  });
}

/**
 * The routes of one host:port for one client: its VirtualService's (one Envoy route per match
 * that applies to the client), else Dubbo's rules' (../dubbo/build-dubbo-routes.ts), else a default
 * route to the host's cluster. Proxyless listeners and sidecar virtual hosts share it.
 */
export function hostRoutes(ctx: Omit<RouteContext, 'configNamespace'>): envoy.Route[] {
  const vs = ctx.index.virtualServiceFor(ctx.host);
  const routes: envoy.Route[] = [];
  if (vs) {
    const routeCtx: RouteContext = { ...ctx, configNamespace: vs.metadata.namespace };
    (vs.spec.http ?? []).forEach((http, i) => {
      routes.push(...buildRoutes(http, `${vs.metadata.name}.${i}`, routeCtx));
    });
    return routes;
  }
  // The default route still carries the DestinationRule's hash policy.
  const routeCtx: RouteContext = {
    ...ctx,
    configNamespace: ctx.index.service(ctx.host)?.namespace ?? 'default',
  };
  // Without a VirtualService, Dubbo's rules route the host when it has some (precedence: CONFIG.md).
  const dubbo = buildDubboRoutes(routeCtx);
  if (dubbo) return dubbo;
  const action = buildRouteAction({ route: [{ destination: { host: ctx.host } }] }, routeCtx);
  if (action) {
    routes.push(
      create(envoy.RouteSchema, {
        name: 'default',
        match: { pathSpecifier: { case: 'prefix', value: '/' } },
        action: { case: 'route', value: action },
        // istiod names the operation of a default route for tracing.
        ...(ctx.sidecar ? { decorator: { operation: `${ctx.host}:${ctx.port}/*` } } : {}),
      }),
    );
  }
  return routes;
}

function buildRoutes(http: HTTPRoute, fallbackName: string, ctx: RouteContext): envoy.Route[] {
  if (http.delegate) {
    const delegated = delegatedRoutes(http, ctx.configNamespace, ctx.index);
    if (!delegated) return [];
    const delegateCtx: RouteContext = { ...ctx, configNamespace: delegated.namespace };
    return delegated.routes.flatMap((r) => buildRoutes(r, delegated.name, delegateCtx));
  }
  // Matches that name another port are for another listener.
  // A match for another port, other source workloads or only gateways is not for this client.
  const matches = http.match?.length
    ? http.match.filter(
        (m) =>
          (m.port === undefined || m.port === ctx.port) &&
          Object.entries(m.sourceLabels ?? {}).every(([k, v]) => ctx.clientLabels[k] === v) &&
          (m.sourceNamespace === undefined || m.sourceNamespace === ctx.clientNamespace) &&
          (m.gateways === undefined || m.gateways.includes('mesh')),
      )
    : [undefined];
  if (matches.length === 0) return [];
  const out: envoy.Route[] = [];
  const fault = http.fault ? buildFault(http.fault) : undefined;
  for (const match of matches) {
    const route = create(envoy.RouteSchema, {
      name: http.name ?? fallbackName,
      match: buildRouteMatch(match),
    });
    if (http.directResponse) {
      answerDirectly(route, http.directResponse, ctx);
      out.push(route);
      continue;
    }
    const action = buildRouteAction(http, ctx);
    if (!action) continue;
    route.action = { case: 'route', value: action };
    // The route's operations, then a single destination's (a weighted one's are its cluster's).
    const authority = [
      addHeaderOperations(route, http.headers),
      http.route?.length === 1 ? addHeaderOperations(route, http.route[0]!.headers) : undefined,
    ].findLast((a) => a !== undefined);
    if (authority !== undefined && action.hostRewriteSpecifier.case === undefined)
      action.hostRewriteSpecifier = { case: 'hostRewriteLiteral', value: authority };
    if (fault) route.typedPerFilterConfig[FAULT_FILTER_NAME] = anyPack(envoy.HTTPFaultSchema, fault);
    out.push(route);
  }
  return out;
}
