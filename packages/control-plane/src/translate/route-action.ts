// Istio HTTPRoute → Envoy RouteAction: destinations (one cluster or weighted clusters with
// subsets, each with its header operations), timeout as max_stream_duration, retries, rewrites
// (uri → prefix_rewrite, uriRegexRewrite → regex_rewrite, authority → host_rewrite_literal),
// mirrors (request_mirror_policies) and hash policies from the destination's DestinationRule
// consistentHash.
// Envoy: config.route.v3.RouteAction, WeightedCluster, RetryPolicy, HashPolicy, RequestMirrorPolicy;
// Istio: translateRoute, consistentHashToHashPolicy, mirror policies.

import { create } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';
import { resolveShortName } from '../config/hostnames.js';
import type {
  ConsistentHashLB,
  Destination,
  HTTPRetry,
  HTTPRoute,
  HTTPRouteDestination,
} from '../config/networking-types.js';
import type { ProxyNode } from '../xds-server/proxy-node.js';
import { addHeaderOperations } from './header-operations.js';
import { durationFromMs, durationOf } from './proto-values.js';
import { clusterName } from './resource-names.js';
import type { ServiceIndex } from './service-index.js';
import { effectivePolicy } from './traffic-policy.js';

export interface RouteContext {
  index: ServiceIndex;
  /** The host and port the listener routes for. */
  host: string;
  port: number;
  /** Namespace that short destination hosts resolve in (the VirtualService's). */
  configNamespace: string;
  clientNamespace: string;
  /** The client's workload labels, for `sourceLabels` matches. */
  clientLabels: Readonly<Record<string, string>>;
  /**
   * For an Envoy sidecar: a route without a VirtualService timeout gets none (Envoy's default is
   * 15 s, which would cut long streams), and the caller's grpc-timeout is honoured uncapped.
   */
  sidecar?: boolean;
  /** The client itself, for Dubbo's rules (its application, address and labels). */
  client?: ProxyNode;
  /** The interface the client dialled, when the listener is named after one. */
  iface?: string;
}

/**
 * What a client's routes depend on, as a cache key: its labels (`sourceLabels`), and where Dubbo's
 * routers read the consumer, its application, address and locality too.
 */
export function routeClientKey(index: ServiceIndex, node: ProxyNode): string {
  return JSON.stringify(
    index.dubbo.routesByConsumer
      ? [node.labels, node.metadata.SHOAL_APP, node.ips[0], node.locality]
      : node.labels,
  );
}

export function buildRouteAction(route: HTTPRoute, ctx: RouteContext): envoy.RouteAction | undefined {
  const destinations = (route.route ?? []).filter((d) => route.route?.length === 1 || (d.weight ?? 0) > 0);
  if (destinations.length === 0) return undefined;
  const action = create(envoy.RouteActionSchema, {});
  if (destinations.length === 1) {
    action.clusterSpecifier = { case: 'cluster', value: clusterFor(destinations[0]!.destination, ctx) };
  } else {
    action.clusterSpecifier = {
      case: 'weightedClusters',
      value: create(envoy.WeightedClusterSchema, {
        clusters: destinations.map((d: HTTPRouteDestination) => {
          const cw = create(envoy.WeightedCluster_ClusterWeightSchema, {
            name: clusterFor(d.destination, ctx),
            weight: d.weight ?? 0,
          });
          const authority = addHeaderOperations(cw, d.headers);
          if (authority !== undefined)
            cw.hostRewriteSpecifier = { case: 'hostRewriteLiteral', value: authority };
          return cw;
        }),
      }),
    };
  }
  if (route.timeout) {
    const timeout = durationOf(route.timeout);
    // gRPC reads max_stream_duration; grpc_timeout_header_max caps a caller's own grpc-timeout.
    action.maxStreamDuration = create(envoy.RouteAction_MaxStreamDurationSchema, {
      maxStreamDuration: timeout,
      grpcTimeoutHeaderMax: timeout,
    });
    action.timeout = timeout;
  } else if (ctx.sidecar) {
    // istiod: no timeout, and max_grpc_timeout 0 (here its replacement) so grpc-timeout applies.
    action.timeout = durationFromMs(0);
    action.maxStreamDuration = create(envoy.RouteAction_MaxStreamDurationSchema, {
      grpcTimeoutHeaderMax: durationFromMs(0),
    });
  }
  // Envoy replaces the matched prefix (or the whole path of an exact match) with this.
  const rw = route.rewrite;
  if (rw?.uri !== undefined) action.prefixRewrite = rw.uri;
  else if (rw?.uriRegexRewrite?.match !== undefined) {
    action.regexRewrite = create(envoy.RegexMatchAndSubstituteSchema, {
      pattern: { regex: rw.uriRegexRewrite.match },
      substitution: rw.uriRegexRewrite.rewrite ?? '',
    });
  }
  if (rw?.authority !== undefined)
    action.hostRewriteSpecifier = { case: 'hostRewriteLiteral', value: rw.authority };
  action.requestMirrorPolicies = mirrorPolicies(route, ctx);
  const retryPolicy = buildRetryPolicy(route.retries);
  if (retryPolicy) action.retryPolicy = retryPolicy;
  const first = destinations[0]!.destination;
  const hash = consistentHashFor(first, ctx);
  if (hash) action.hashPolicy = hashPolicies(hash);
  return action;
}

/**
 * `mirrors` (each with its own percentage), else the older `mirror` with `mirrorPercentage`;
 * no percentage mirrors every call (Envoy: runtime_fraction unset).
 */
function mirrorPolicies(route: HTTPRoute, ctx: RouteContext): envoy.RouteAction_RequestMirrorPolicy[] {
  const mirrors = route.mirrors?.length
    ? route.mirrors
    : route.mirror
      ? [{ destination: route.mirror, percentage: route.mirrorPercentage }]
      : [];
  return mirrors.map((m) =>
    create(envoy.RouteAction_RequestMirrorPolicySchema, {
      cluster: clusterFor(m.destination, ctx),
      ...(m.percentage !== undefined && {
        runtimeFraction: {
          defaultValue: {
            numerator: Math.round(m.percentage.value * 10_000),
            denominator: envoy.FractionalPercent_DenominatorType.MILLION,
          },
        },
      }),
    }),
  );
}

/** Istio's default for routes that say nothing about retries (retry.DefaultPolicy). */
const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';
const DEFAULT_ATTEMPTS = 2;

/** `retries` absent → Istio's default (2 attempts); `attempts: 0` → no retries. */
export function buildRetryPolicy(retries: HTTPRetry | undefined): envoy.RetryPolicy | undefined {
  const attempts = retries?.attempts ?? (retries ? 0 : DEFAULT_ATTEMPTS);
  if (attempts <= 0) return undefined;
  return create(envoy.RetryPolicySchema, {
    numRetries: attempts,
    retryOn: retries?.retryOn ?? DEFAULT_RETRY_ON,
    ...(retries?.perTryTimeout ? { perTryTimeout: durationOf(retries.perTryTimeout) } : {}),
  });
}

export function destinationHost(d: Destination, ctx: RouteContext): string {
  return resolveShortName(d.host, ctx.configNamespace);
}

/** The port a destination without one goes to: the listener's for its own host, else the only one. */
export function clusterFor(d: Destination, ctx: RouteContext): string {
  const host = destinationHost(d, ctx);
  let port = d.port?.number;
  if (port === undefined) {
    const service = ctx.index.service(host);
    port = host === ctx.host || !service || service.ports.length !== 1 ? ctx.port : service.ports[0]!.number;
  }
  return clusterName(host, port, d.subset ?? '');
}

function consistentHashFor(d: Destination, ctx: RouteContext): ConsistentHashLB | undefined {
  const host = destinationHost(d, ctx);
  const dr = ctx.index.destinationRuleFor(host, ctx.clientNamespace);
  const port = d.port?.number ?? ctx.port;
  return effectivePolicy(dr, port, d.subset ?? '').loadBalancer?.consistentHash;
}

/**
 * Proxyless clients have no cookies: a cookie policy is followed by a header policy on a header of
 * the cookie's name, so a client that sends the value as a header keeps its affinity.
 */
export function hashPolicies(hash: ConsistentHashLB): envoy.RouteAction_HashPolicy[] {
  const P = envoy.RouteAction_HashPolicySchema;
  if (hash.httpHeaderName) {
    return [
      create(P, {
        policySpecifier: { case: 'header', value: { headerName: hash.httpHeaderName.toLowerCase() } },
      }),
    ];
  }
  if (hash.httpCookie) {
    return [
      create(P, { policySpecifier: { case: 'cookie', value: { name: hash.httpCookie.name } } }),
      create(P, {
        policySpecifier: { case: 'header', value: { headerName: hash.httpCookie.name.toLowerCase() } },
      }),
    ];
  }
  if (hash.useSourceIp)
    return [create(P, { policySpecifier: { case: 'connectionProperties', value: { sourceIp: true } } })];
  if (hash.httpQueryParameterName) {
    return [
      create(P, {
        policySpecifier: { case: 'queryParameter', value: { name: hash.httpQueryParameterName } },
      }),
    ];
  }
  return [];
}
