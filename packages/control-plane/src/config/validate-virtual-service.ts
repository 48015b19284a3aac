// Semantic rules of a VirtualService (after its shape passed the schema).
// Istio: networking.v1.VirtualService; pkg/config/validation (ValidateVirtualService, validateHTTPRoute).

import type { IssueCollector } from './issues.js';
import { joinPath } from './issues.js';
import type { HTTPRoute, RouteDestination, VirtualServiceSpec } from './networking-types.js';
import {
  checkDurationField,
  checkExportTo,
  checkFQDN,
  checkIPOrCIDR,
  checkLabelMap,
  checkPortNumber,
  checkWildcardDomain,
  isDNS1123Label,
  isIPAddress,
} from './rules-common.js';
import {
  checkDestination,
  checkFault,
  checkHeaderName,
  checkHeaderOps,
  checkRegex,
  checkRetries,
  checkStringMatch,
  checkWeights,
  HTTP_METHODS,
} from './validate-route-parts.js';

export function validateVirtualService(c: IssueCollector, spec: VirtualServiceSpec, namespace: string): void {
  const hosts = spec.hosts ?? [];
  const gateways = spec.gateways ?? [];
  const appliesToMesh = gateways.length === 0 || gateways.includes('mesh');
  let hostsValid = true;
  hosts.forEach((host, i) => {
    const p = joinPath('spec.hosts', i);
    const problem = checkWildcardDomain(host);
    if (problem && !isIPAddress(host)) {
      c.invalid(p, host, problem);
      hostsValid = false;
    } else if (appliesToMesh && host === '*') {
      c.invalid(p, host, 'wildcard host * is not allowed for virtual services bound to the mesh gateway');
      hostsValid = false;
    }
  });
  if (hostsValid) {
    for (let i = 0; i < hosts.length; i++) {
      for (let j = i + 1; j < hosts.length; j++) {
        if (hostsOverlap(hosts[i]!, hosts[j]!)) {
          c.duplicate(
            joinPath('spec.hosts', j),
            hosts[j],
            `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`,
          );
        }
      }
    }
  }
  if (hosts.length === 0 && (gateways.length > 0 || spec.tcp || spec.tls)) {
    c.error('spec', 'delegate virtual service (no hosts) must have no gateways, tcp or tls routes');
  }
  gateways.forEach((g, i) => {
    checkGatewayName(c, joinPath('spec.gateways', i), g);
  });
  if (!spec.http?.length && !spec.tcp?.length && !spec.tls?.length) {
    c.error('spec', 'http, tcp or tls must be provided in virtual service');
  }
  spec.http?.forEach((route, i) => {
    validateHTTPRoute(c, joinPath('spec.http', i), route, hosts.length === 0);
  });
  spec.tcp?.forEach((route, i) => {
    const p = joinPath('spec.tcp', i);
    route.match?.forEach((m, j) => {
      checkL4Match(c, joinPath(joinPath(p, 'match'), j), m);
    });
    checkRouteDestinations(c, p, route.route, 'TCP route is required');
  });
  spec.tls?.forEach((route, i) => {
    const p = joinPath('spec.tls', i);
    if (!route.match?.length)
      c.required(joinPath(p, 'match'), 'TLS route must have at least one match condition');
    route.match?.forEach((m, j) => {
      const mp = joinPath(joinPath(p, 'match'), j);
      if (!m.sniHosts?.length)
        c.required(joinPath(mp, 'sniHosts'), 'TLS match must have at least one SNI host');
      m.sniHosts?.forEach((sni, k) => {
        const problem = checkWildcardDomain(sni);
        if (problem) c.invalid(joinPath(joinPath(mp, 'sniHosts'), k), sni, problem);
      });
      checkL4Match(c, mp, m);
    });
    checkRouteDestinations(c, p, route.route, 'TLS route is required');
  });
  checkExportTo(c, 'spec.exportTo', namespace, spec.exportTo, false);
  warnUnreachable(c, spec.http ?? []);
}

function validateHTTPRoute(c: IssueCollector, path: string, r: HTTPRoute, delegate: boolean): void {
  const hasRoute = (r.route?.length ?? 0) > 0;
  if (r.delegate) {
    if (delegate)
      c.invalid(joinPath(path, 'delegate'), r.delegate, 'delegate HTTP route cannot contain delegate');
    if (hasRoute || r.redirect)
      c.error(path, 'root HTTP route must not specify route or redirect when it delegates');
  } else if (r.redirect) {
    if (hasRoute) c.error(path, 'HTTP route cannot contain both route and redirect');
    if (r.fault) c.error(path, 'HTTP route cannot contain both fault and redirect');
    if (r.rewrite) c.error(path, 'HTTP route rule cannot contain both rewrite and redirect');
  } else if (!hasRoute && !r.directResponse) {
    c.required(joinPath(path, 'route'), 'HTTP route or redirect is required');
  }
  r.match?.forEach((m, i) => {
    const p = joinPath(joinPath(path, 'match'), i);
    for (const field of ['uri', 'scheme', 'method', 'authority'] as const) {
      checkStringMatch(c, joinPath(p, field), m[field]);
    }
    const methodExact = m.method?.exact;
    if (methodExact !== undefined && !HTTP_METHODS.has(methodExact)) {
      c.invalid(
        joinPath(joinPath(p, 'method'), 'exact'),
        methodExact,
        `${JSON.stringify(methodExact)} is not a supported HTTP method`,
      );
    }
    for (const field of ['headers', 'withoutHeaders', 'queryParams'] as const) {
      for (const [name, sm] of Object.entries(m[field] ?? {})) {
        const hp = joinPath(joinPath(p, field), name);
        if (field !== 'queryParams') checkHeaderName(c, hp, name);
        checkStringMatch(c, hp, sm);
      }
    }
    if (m.port !== undefined) checkPortNumber(c, joinPath(p, 'port'), m.port);
    checkLabelMap(c, joinPath(p, 'sourceLabels'), m.sourceLabels);
    m.gateways?.forEach((g, j) => {
      checkGatewayName(c, joinPath(joinPath(p, 'gateways'), j), g);
    });
    if (m.sourceNamespace !== undefined && !isDNS1123Label(m.sourceNamespace)) {
      c.invalid(
        joinPath(p, 'sourceNamespace'),
        m.sourceNamespace,
        `sourceNamespace match ${m.sourceNamespace} is invalid`,
      );
    }
  });
  r.route?.forEach((d, i) => {
    const p = joinPath(joinPath(path, 'route'), i);
    checkDestination(c, joinPath(p, 'destination'), d.destination);
    checkHeaderOps(c, joinPath(joinPath(p, 'headers'), 'request'), d.headers?.request, true);
    checkHeaderOps(c, joinPath(joinPath(p, 'headers'), 'response'), d.headers?.response, false);
  });
  if (r.route) checkWeights(c, joinPath(path, 'route'), r.route);
  checkHeaderOps(c, joinPath(joinPath(path, 'headers'), 'request'), r.headers?.request, true);
  checkHeaderOps(c, joinPath(joinPath(path, 'headers'), 'response'), r.headers?.response, false);
  checkDurationField(c, joinPath(path, 'timeout'), r.timeout);
  checkRetries(c, joinPath(path, 'retries'), r.retries);
  checkFault(c, joinPath(path, 'fault'), r.fault);
  if (r.redirect) {
    const p = joinPath(path, 'redirect');
    const rd = r.redirect;
    if (
      rd.uri === undefined &&
      rd.authority === undefined &&
      rd.port === undefined &&
      rd.scheme === undefined &&
      rd.derivePort === undefined
    ) {
      c.error(p, 'redirect must specify URI, authority, scheme, or port');
    }
    if (rd.redirectCode !== undefined && (rd.redirectCode < 300 || rd.redirectCode > 399)) {
      c.invalid(
        joinPath(p, 'redirectCode'),
        rd.redirectCode,
        `${rd.redirectCode} is not a valid redirect code, must be 3xx`,
      );
    }
    if (rd.scheme !== undefined && rd.scheme !== 'http' && rd.scheme !== 'https') {
      c.invalid(joinPath(p, 'scheme'), rd.scheme, 'invalid redirect scheme, must be "http" or "https"');
    }
    if (rd.port !== undefined) checkPortNumber(c, joinPath(p, 'port'), rd.port);
  }
  if (r.rewrite) {
    const p = joinPath(path, 'rewrite');
    const rw = r.rewrite;
    if (rw.uri !== undefined && rw.uriRegexRewrite)
      c.error(p, 'rewrite may only contain one of URI or UriRegexRewrite');
    if (rw.uri === undefined && !rw.uriRegexRewrite && rw.authority === undefined) {
      c.error(p, 'rewrite must specify at least one of URI, UriRegexRewrite, or authority');
    }
    if (rw.uriRegexRewrite) {
      const rp = joinPath(p, 'uriRegexRewrite');
      if (!rw.uriRegexRewrite.match || !rw.uriRegexRewrite.rewrite) {
        c.error(rp, 'UriRegexRewrite requires both Rewrite and Match fields to be specified');
      } else checkRegex(c, joinPath(rp, 'match'), rw.uriRegexRewrite.match);
    }
  }
  if (r.directResponse) {
    const s = r.directResponse.status;
    if (s < 200 || s > 599)
      c.invalid(
        joinPath(joinPath(path, 'directResponse'), 'status'),
        s,
        `HTTP status ${s} is not in range 200-599`,
      );
    const body = r.directResponse.body;
    if (body?.string || body?.bytes)
      c.warn(
        joinPath(joinPath(path, 'directResponse'), 'body'),
        'a gRPC client gets the status as its gRPC code (503 UNAVAILABLE, 403 PERMISSION_DENIED, …); the body is not sent to proxyless clients',
      );
  }
  checkDestination(c, joinPath(path, 'mirror'), r.mirror);
  r.mirrors?.forEach((m, i) => {
    const p = joinPath(joinPath(path, 'mirrors'), i);
    checkDestination(c, joinPath(p, 'destination'), m.destination);
    checkMirrorPercent(c, joinPath(joinPath(p, 'percentage'), 'value'), m.percentage?.value);
  });
  checkMirrorPercent(c, joinPath(joinPath(path, 'mirrorPercentage'), 'value'), r.mirrorPercentage?.value);
  if (r.corsPolicy) {
    const p = joinPath(path, 'corsPolicy');
    r.corsPolicy.allowMethods?.forEach((m, i) => {
      if (!HTTP_METHODS.has(m))
        c.invalid(
          joinPath(joinPath(p, 'allowMethods'), i),
          m,
          `${JSON.stringify(m)} is not a supported HTTP method`,
        );
    });
    r.corsPolicy.allowOrigins?.forEach((o, i) => {
      checkStringMatch(c, joinPath(joinPath(p, 'allowOrigins'), i), o);
    });
    checkDurationField(c, joinPath(p, 'maxAge'), r.corsPolicy.maxAge);
  }
}

function checkMirrorPercent(c: IssueCollector, path: string, value: number | undefined): void {
  if (value !== undefined && (value < 0 || value > 100))
    c.invalid(path, value, 'mirror percentage must be in range 0..100');
}

function checkRouteDestinations(
  c: IssueCollector,
  path: string,
  route: RouteDestination[] | undefined,
  missing: string,
): void {
  if (!route?.length) {
    c.required(joinPath(path, 'route'), missing);
    return;
  }
  route.forEach((d, i) => {
    checkDestination(c, joinPath(joinPath(joinPath(path, 'route'), i), 'destination'), d.destination);
  });
  checkWeights(c, joinPath(path, 'route'), route);
}

function checkL4Match(
  c: IssueCollector,
  path: string,
  m: {
    destinationSubnets?: string[];
    port?: number;
    sourceLabels?: Record<string, string>;
    gateways?: string[];
  },
): void {
  m.destinationSubnets?.forEach((s, i) => {
    const problem = checkIPOrCIDR(s);
    if (problem) c.invalid(joinPath(joinPath(path, 'destinationSubnets'), i), s, problem);
  });
  if (m.port !== undefined) checkPortNumber(c, joinPath(path, 'port'), m.port);
  checkLabelMap(c, joinPath(path, 'sourceLabels'), m.sourceLabels);
  m.gateways?.forEach((g, i) => {
    checkGatewayName(c, joinPath(joinPath(path, 'gateways'), i), g);
  });
}

/** `mesh`, `name`, or `namespace/name` (Istio: validateGatewayNames). */
function checkGatewayName(c: IssueCollector, path: string, name: string): void {
  if (name === 'mesh') return;
  const parts = name.split('/');
  if (parts.length === 1) {
    const problem = checkFQDN(name);
    if (problem) c.invalid(path, name, problem);
    return;
  }
  if (parts.length !== 2 || !isDNS1123Label(parts[0]!) || !isDNS1123Label(parts[1]!)) {
    c.invalid(path, name, 'gateway must be "mesh", a name, or "namespace/name" with DNS-1123 labels');
  }
}

/** Same rule as Istio's host.Name.Matches: equal, or one wildcard covers the other. */
function hostsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const covers = (w: string, h: string) => w === '*' || (w.startsWith('*') && h.endsWith(w.slice(1)));
  return (a.startsWith('*') && covers(a, b)) || (b.startsWith('*') && covers(b, a));
}

/** A rule without match catches everything, so rules after it are never used (a warning, as in Istio). */
function warnUnreachable(c: IssueCollector, routes: HTTPRoute[]): void {
  const seen = new Map<string, number>();
  let catchAll = -1;
  routes.forEach((r, i) => {
    const p = joinPath('spec.http', i);
    if (catchAll >= 0)
      c.warn(p, `virtualService rule #${i} not used (rule #${catchAll} has no match and catches everything)`);
    if (!r.match?.length) {
      if (catchAll < 0) catchAll = i;
      return;
    }
    let dups = 0;
    r.match.forEach((m, j) => {
      const { name: _ignored, ...rest } = m;
      const key = JSON.stringify(rest);
      const prev = seen.get(key);
      if (prev !== undefined) {
        dups++;
        c.warn(
          joinPath(joinPath(p, 'match'), j),
          `match is not used (duplicate of a match in rule #${prev})`,
        );
      } else seen.set(key, i);
    });
    if (dups === r.match.length)
      c.warn(p, `virtualService rule #${i} not used (all matches used by prior rules)`);
  });
}
