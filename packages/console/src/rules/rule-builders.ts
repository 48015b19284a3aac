// What the console's wizards write: real Istio VirtualService and DestinationRule objects
// (networking.istio.io/v1), changed field by field from what is stored, so nothing a user wrote
// by hand is lost. Istio: VirtualService http[] routes (the last one without `match` is the
// default), HTTPRetry, HTTPFaultInjection; DestinationRule trafficPolicy.outlierDetection and
// connectionPool (Kiali's wizards write the same fields).

import type { ConfigObject } from '../api/config.js';

type Json = Record<string, unknown>;
export interface Destination {
  host: string;
  subset?: string;
  port?: { number: number };
}
export interface RouteDestination {
  destination: Destination;
  weight?: number;
}
export interface HttpRoute {
  name?: string;
  match?: Json[];
  route?: RouteDestination[];
  timeout?: string;
  retries?: { attempts: number; perTryTimeout?: string; retryOn?: string };
  fault?: {
    delay?: { percentage?: { value: number }; fixedDelay: string };
    abort?: { percentage?: { value: number }; grpcStatus?: string; httpStatus?: number };
  };
  [field: string]: unknown;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The object with only the fields a user writes (the store's resourceVersion etc. dropped). */
function fresh(o: ConfigObject): ConfigObject {
  const { name, namespace, labels, annotations } = o.metadata;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    spec: clone(o.spec),
  };
}

export function newVirtualService(host: string, namespace: string): ConfigObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: host.split('.')[0]!, namespace },
    spec: { hosts: [host], http: [{ route: [{ destination: { host } }] }] },
  };
}

export function newDestinationRule(host: string, namespace: string): ConfigObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: host.split('.')[0]!, namespace },
    spec: { host },
  };
}

const routesOf = (vs: ConfigObject) => ((vs.spec.http as HttpRoute[] | undefined) ?? []) as HttpRoute[];

/** Index of the default route (the last without a match), added when there is none. */
function defaultRoute(spec: Json, host: string): HttpRoute {
  const http = ((spec.http as HttpRoute[] | undefined) ??= []);
  let route = [...http].reverse().find((r) => !r.match || r.match.length === 0);
  if (!route) {
    route = { route: [{ destination: { host } }] };
    http.push(route);
  }
  return route;
}

/** Subset weights of the default route, e.g. [{subset: 'v1', weight: 80}, {subset: 'v2', weight: 20}]. */
export function defaultWeights(vs: ConfigObject | undefined): { subset: string; weight: number }[] {
  if (!vs) return [];
  const route = [...routesOf(vs)].reverse().find((r) => !r.match || r.match.length === 0);
  const dests = route?.route ?? [];
  return dests.map((d) => ({
    subset: d.destination.subset ?? '',
    weight: d.weight ?? (dests.length === 1 ? 100 : 0),
  }));
}

/** The default route sends `weights[i]`% to each subset (subsets at 0 % are left out). */
export function withWeights(
  vs: ConfigObject,
  host: string,
  weights: { subset: string; weight: number }[],
): ConfigObject {
  const out = fresh(vs);
  const route = defaultRoute(out.spec, host);
  const port = route.route?.[0]?.destination.port;
  const kept = weights.filter((w) => w.weight > 0);
  route.route = kept.map((w) => ({
    destination: { host, ...(w.subset ? { subset: w.subset } : {}), ...(port ? { port } : {}) },
    ...(kept.length > 1 ? { weight: w.weight } : {}),
  }));
  return out;
}

export interface MatchRule {
  name: string;
  header?: { name: string; value: string; kind: 'exact' | 'prefix' | 'regex' };
  /** `package.Service/Method`: matched on the path, as gRPC methods are. */
  method?: string;
  subset: string;
}

/** Adds (or replaces, by name) a route that sends matching calls to one subset, before the default. */
export function withMatchRoute(vs: ConfigObject, host: string, rule: MatchRule): ConfigObject {
  const out = fresh(vs);
  defaultRoute(out.spec, host);
  const http = out.spec.http as HttpRoute[];
  const match: Json = {};
  if (rule.header)
    match.headers = { [rule.header.name.toLowerCase()]: { [rule.header.kind]: rule.header.value } };
  if (rule.method) match.uri = { exact: rule.method.startsWith('/') ? rule.method : `/${rule.method}` };
  const route: HttpRoute = {
    name: rule.name,
    match: [match],
    route: [{ destination: { host, ...(rule.subset ? { subset: rule.subset } : {}) } }],
  };
  const existing = http.findIndex((r) => r.name === rule.name);
  if (existing >= 0) http[existing] = route;
  else http.splice(http.length - 1, 0, route);
  return out;
}

export interface Resilience {
  timeout?: string;
  retries?: { attempts: number; perTryTimeout?: string; retryOn?: string };
}

/** Sets (or clears, when empty) the default route's timeout and retries. */
export function withResilience(vs: ConfigObject, host: string, r: Resilience): ConfigObject {
  const out = fresh(vs);
  const route = defaultRoute(out.spec, host);
  if (r.timeout) route.timeout = r.timeout;
  else delete route.timeout;
  if (r.retries) route.retries = r.retries;
  else delete route.retries;
  return out;
}

export interface Fault {
  delayPercent: number;
  fixedDelay: string;
  abortPercent: number;
  grpcStatus: string;
}

/** Sets the default route's fault injection; a 0 % part is left out, and both at 0 remove it. */
export function withFault(vs: ConfigObject, host: string, f: Fault): ConfigObject {
  const out = fresh(vs);
  const route = defaultRoute(out.spec, host);
  const fault: NonNullable<HttpRoute['fault']> = {};
  if (f.delayPercent > 0) fault.delay = { percentage: { value: f.delayPercent }, fixedDelay: f.fixedDelay };
  if (f.abortPercent > 0) fault.abort = { percentage: { value: f.abortPercent }, grpcStatus: f.grpcStatus };
  if (fault.delay || fault.abort) route.fault = fault;
  else delete route.fault;
  return out;
}

function trafficPolicy(dr: ConfigObject): Json {
  return ((dr.spec.trafficPolicy as Json | undefined) ??= {});
}

export interface Outlier {
  consecutive5xxErrors: number;
  interval: string;
  baseEjectionTime: string;
  maxEjectionPercent: number;
}

export function withOutlierDetection(dr: ConfigObject, o: Outlier | undefined): ConfigObject {
  const out = fresh(dr);
  const policy = trafficPolicy(out);
  if (o) policy.outlierDetection = { ...o };
  else delete policy.outlierDetection;
  return out;
}

export interface ConnectionPool {
  http2MaxRequests: number;
  http1MaxPendingRequests: number;
  maxRetries: number;
  maxConnections: number;
}

export function withConnectionPool(dr: ConfigObject, c: ConnectionPool | undefined): ConfigObject {
  const out = fresh(dr);
  const policy = trafficPolicy(out);
  if (c) {
    policy.connectionPool = {
      tcp: { maxConnections: c.maxConnections },
      http: {
        http2MaxRequests: c.http2MaxRequests,
        http1MaxPendingRequests: c.http1MaxPendingRequests,
        maxRetries: c.maxRetries,
      },
    };
  } else delete policy.connectionPool;
  return out;
}

/** The subset names a DestinationRule defines. */
export function subsetsOf(dr: ConfigObject | undefined): string[] {
  return ((dr?.spec.subsets as { name: string }[] | undefined) ?? []).map((s) => s.name);
}
