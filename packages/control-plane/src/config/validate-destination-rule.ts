// Semantic rules of a DestinationRule: traffic policy, load balancer (consistent hash, locality),
// connection pool, outlier detection, client TLS, subsets.
// Istio: networking.v1.DestinationRule; pkg/config/validation (ValidateDestinationRule,
// validateTrafficPolicy, validateLoadBalancer) and agent.ValidateLocalityLbSetting.

import type { IssueCollector } from './issues.js';
import { joinPath } from './issues.js';
import type {
  ClientTLSSettings,
  ConnectionPoolSettings,
  DestinationRuleSpec,
  LoadBalancerSettings,
  LocalityLoadBalancerSetting,
  OutlierDetection,
  TrafficPolicy,
} from './networking-types.js';
import {
  checkDurationField,
  checkExportTo,
  checkFQDN,
  checkIntPercent,
  checkLabelMap,
  checkPortNumber,
  checkSelectorLabels,
  checkWildcardDomain,
  isIPAddress,
} from './rules-common.js';
import { checkSubsetName } from './validate-route-parts.js';

export function validateDestinationRule(
  c: IssueCollector,
  spec: DestinationRuleSpec,
  namespace: string,
): void {
  const hostProblem = checkWildcardDomain(spec.host);
  if (hostProblem) c.invalid('spec.host', spec.host, hostProblem);
  checkTrafficPolicy(c, 'spec.trafficPolicy', spec.trafficPolicy);
  const names = new Set<string>();
  spec.subsets?.forEach((subset, i) => {
    const p = joinPath('spec.subsets', i);
    if (names.has(subset.name))
      c.duplicate(joinPath(p, 'name'), subset.name, `duplicate subset names: ${subset.name}`);
    names.add(subset.name);
    checkSubsetName(c, joinPath(p, 'name'), subset.name);
    checkLabelMap(c, joinPath(p, 'labels'), subset.labels);
    checkTrafficPolicy(c, joinPath(p, 'trafficPolicy'), subset.trafficPolicy);
  });
  checkExportTo(c, 'spec.exportTo', namespace, spec.exportTo, false);
  if (spec.workloadSelector) {
    checkSelectorLabels(c, 'spec.workloadSelector.matchLabels', spec.workloadSelector.matchLabels ?? {});
    const others = (spec.exportTo ?? []).filter((e) => e !== '.' && e !== namespace);
    if (others.length > 0) {
      c.invalid(
        'spec.exportTo',
        spec.exportTo,
        'destination rule with workload selector cannot have exportTo beyond current namespace',
      );
    }
  }
}

function checkTrafficPolicy(c: IssueCollector, path: string, tp: TrafficPolicy | undefined): void {
  if (!tp) return;
  if (Object.keys(tp).length === 0) {
    c.error(path, 'traffic policy must have at least one field');
    return;
  }
  if (tp.tunnel && tp.proxyProtocol) c.error(path, 'tunnel and proxyProtocol must not be set together');
  checkOutlier(c, joinPath(path, 'outlierDetection'), tp.outlierDetection);
  checkConnectionPool(c, joinPath(path, 'connectionPool'), tp.connectionPool);
  checkLoadBalancer(c, joinPath(path, 'loadBalancer'), tp.loadBalancer, tp.outlierDetection);
  checkClientTls(c, joinPath(path, 'tls'), tp.tls);
  const ports = new Set<number>();
  tp.portLevelSettings?.forEach((pl, i) => {
    const p = joinPath(joinPath(path, 'portLevelSettings'), i);
    const port = pl.port?.number;
    if (port === undefined)
      c.required(joinPath(joinPath(p, 'port'), 'number'), 'portTrafficPolicy must have valid port');
    else {
      checkPortNumber(c, joinPath(joinPath(p, 'port'), 'number'), port);
      if (ports.has(port)) c.duplicate(joinPath(joinPath(p, 'port'), 'number'), port);
      ports.add(port);
    }
    if (!pl.loadBalancer && !pl.connectionPool && !pl.outlierDetection && !pl.tls) {
      c.error(p, 'port traffic policy must have at least one field');
    }
    checkOutlier(c, joinPath(p, 'outlierDetection'), pl.outlierDetection);
    checkConnectionPool(c, joinPath(p, 'connectionPool'), pl.connectionPool);
    checkLoadBalancer(c, joinPath(p, 'loadBalancer'), pl.loadBalancer, pl.outlierDetection);
    checkClientTls(c, joinPath(p, 'tls'), pl.tls);
  });
  if (tp.tunnel) {
    const p = joinPath(path, 'tunnel');
    const proto = tp.tunnel.protocol;
    if (proto !== undefined && proto !== 'CONNECT' && proto !== 'POST') {
      c.invalid(joinPath(p, 'protocol'), proto, 'tunnel protocol must be "CONNECT" or "POST"');
    }
    if (checkFQDN(tp.tunnel.targetHost) && !isIPAddress(tp.tunnel.targetHost)) {
      c.invalid(
        joinPath(p, 'targetHost'),
        tp.tunnel.targetHost,
        'tunnel target host must be valid FQDN or IP address',
      );
    }
    checkPortNumber(c, joinPath(p, 'targetPort'), tp.tunnel.targetPort);
  }
}

function checkOutlier(c: IssueCollector, path: string, od: OutlierDetection | undefined): void {
  if (!od) return;
  checkDurationField(c, joinPath(path, 'baseEjectionTime'), od.baseEjectionTime);
  checkDurationField(c, joinPath(path, 'interval'), od.interval);
  if (od.consecutiveErrors !== undefined) {
    c.warn(
      joinPath(path, 'consecutiveErrors'),
      'outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead',
    );
  }
  if (!od.splitExternalLocalOriginErrors && (od.consecutiveLocalOriginFailures ?? 0) > 0) {
    c.error(
      joinPath(path, 'consecutiveLocalOriginFailures'),
      'outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false',
    );
  }
  for (const f of [
    'consecutiveGatewayErrors',
    'consecutive5xxErrors',
    'consecutiveLocalOriginFailures',
  ] as const) {
    const v = od[f];
    if (v !== undefined && v < 0) c.invalid(joinPath(path, f), v, 'must be non-negative');
  }
  checkIntPercent(c, joinPath(path, 'maxEjectionPercent'), od.maxEjectionPercent);
  checkIntPercent(c, joinPath(path, 'minHealthPercent'), od.minHealthPercent);
}

function checkConnectionPool(c: IssueCollector, path: string, cp: ConnectionPoolSettings | undefined): void {
  if (!cp) return;
  if (!cp.http && !cp.tcp) {
    c.error(path, 'connection pool must have at least one field');
    return;
  }
  const nonNegative = (p: string, v: number | undefined) => {
    if (v !== undefined && v < 0) c.invalid(p, v, 'must be non-negative');
  };
  if (cp.http) {
    const p = joinPath(path, 'http');
    for (const f of [
      'http1MaxPendingRequests',
      'http2MaxRequests',
      'maxRequestsPerConnection',
      'maxRetries',
      'maxConcurrentStreams',
    ] as const) {
      nonNegative(joinPath(p, f), cp.http[f]);
    }
    checkDurationField(c, joinPath(p, 'idleTimeout'), cp.http.idleTimeout);
    if (cp.http.h2UpgradePolicy === 'UPGRADE' && cp.http.useClientProtocol) {
      c.error(p, 'use client protocol must not be true when H2UpgradePolicy is UPGRADE');
    }
  }
  if (cp.tcp) {
    const p = joinPath(path, 'tcp');
    nonNegative(joinPath(p, 'maxConnections'), cp.tcp.maxConnections);
    for (const f of ['connectTimeout', 'maxConnectionDuration', 'idleTimeout'] as const) {
      checkDurationField(c, joinPath(p, f), cp.tcp[f]);
    }
    checkDurationField(c, joinPath(joinPath(p, 'tcpKeepalive'), 'time'), cp.tcp.tcpKeepalive?.time);
    checkDurationField(c, joinPath(joinPath(p, 'tcpKeepalive'), 'interval'), cp.tcp.tcpKeepalive?.interval);
  }
}

function checkLoadBalancer(
  c: IssueCollector,
  path: string,
  lb: LoadBalancerSettings | undefined,
  od: OutlierDetection | undefined,
): void {
  if (!lb) return;
  if (lb.simple !== undefined && lb.consistentHash)
    c.error(path, 'only one of simple or consistentHash can be set');
  const ch = lb.consistentHash;
  if (ch) {
    const p = joinPath(path, 'consistentHash');
    const keys = (['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'] as const).filter(
      (k) => ch[k] !== undefined,
    );
    if (keys.length === 0)
      c.required(
        p,
        'consistentHash needs one of httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName',
      );
    if (keys.length > 1)
      c.error(
        p,
        `only one of httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName can be set (found ${keys.join(', ')})`,
      );
    if (ch.httpCookie && !ch.httpCookie.name)
      c.required(joinPath(joinPath(p, 'httpCookie'), 'name'), 'name required for HttpCookie');
    checkDurationField(
      c,
      joinPath(joinPath(p, 'httpCookie'), 'ttl'),
      ch.httpCookie?.ttl === '0s' ? undefined : ch.httpCookie?.ttl,
    );
    if (ch.ringHash && ch.maglev) c.error(p, 'only one of ringHash or maglev can be set');
    if (ch.minimumRingSize !== undefined) {
      c.warn(
        joinPath(p, 'minimumRingSize'),
        "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration instead",
      );
      if (ch.ringHash || ch.maglev)
        c.error(p, 'only one of MinimumRingSize or Maglev/Ringhash can be specified');
    }
    if (ch.maglev) {
      const t = ch.maglev.tableSize ?? 0;
      const tp = joinPath(joinPath(p, 'maglev'), 'tableSize');
      if (t === 0) c.required(tp, 'tableSize must be set for maglev');
      else if (t >= 5000011) c.invalid(tp, t, 'tableSize must be less than 5000011 for maglev');
      else if (!isPrime(t)) c.invalid(tp, t, 'tableSize must be a prime number for maglev');
    }
  }
  checkLocalityLb(c, joinPath(path, 'localityLbSetting'), lb.localityLbSetting, od);
  checkDurationField(c, joinPath(path, 'warmupDurationSecs'), lb.warmupDurationSecs);
  if (lb.warmup) checkDurationField(c, joinPath(joinPath(path, 'warmup'), 'duration'), lb.warmup.duration);
}

function isPrime(x: number): boolean {
  if (x < 2) return false;
  if (x < 4) return true;
  if (x % 2 === 0) return false;
  for (let f = 3; f * f <= x; f += 2) if (x % f === 0) return false;
  return true;
}

function checkLocalityLb(
  c: IssueCollector,
  path: string,
  l: LocalityLoadBalancerSetting | undefined,
  od: OutlierDetection | undefined,
): void {
  if (!l) return;
  if (l.distribute?.length && l.failover?.length) {
    c.error(path, "can not simultaneously specify 'distribute' and 'failover'");
    return;
  }
  const topology = [
    'topology.kubernetes.io/region',
    'topology.kubernetes.io/zone',
    'topology.istio.io/subzone',
  ];
  if (l.failover?.length) {
    const clash = l.failoverPriority?.find((p) => topology.includes(p));
    if (clash)
      c.error(
        path,
        `can not simultaneously set 'failover' and topology label '${clash}' in 'failover_priority'`,
      );
  }
  const froms: string[] = [];
  l.distribute?.forEach((d, i) => {
    const p = joinPath(joinPath(path, 'distribute'), i);
    if (!d.from) c.required(joinPath(p, 'from'));
    else froms.push(d.from);
    const to = Object.entries(d.to ?? {});
    if (to.length === 0) c.required(joinPath(p, 'to'));
    let total = 0;
    for (const [loc, w] of to) {
      if (w < 1 || w > 100)
        c.invalid(joinPath(joinPath(p, 'to'), loc), w, 'locality weight must be in range [1, 100]');
      total += w;
    }
    if (to.length > 0 && total !== 100)
      c.invalid(joinPath(p, 'to'), total, `total locality weight ${total} != 100`);
    checkLocalities(
      c,
      joinPath(p, 'to'),
      to.map(([loc]) => loc),
    );
  });
  checkLocalities(c, joinPath(path, 'distribute'), froms);
  if ((l.failover?.length || l.failoverPriority?.length) && !od) {
    c.warn(path, 'outlier detection policy must be provided for failover');
  }
  l.failover?.forEach((f, i) => {
    const p = joinPath(joinPath(path, 'failover'), i);
    if (!f.from || !f.to) c.required(joinPath(p, f.from ? 'to' : 'from'));
    if (f.from === f.to) c.invalid(p, f, 'locality lb failover settings must specify different regions');
    if (f.from?.includes('/') || f.to?.includes('/'))
      c.invalid(p, f, 'locality lb failover only specify region');
    if (f.from?.includes('*') || f.to?.includes('*'))
      c.invalid(p, f, "locality lb failover region should not contain '*' wildcard");
  });
}

/** Localities `region[/zone[/subzone]]` with at most one trailing `*`, none overlapping another. */
function checkLocalities(c: IssueCollector, path: string, localities: string[]): void {
  const seen: string[] = [];
  for (const loc of localities) {
    const stars = loc.split('*').length - 1;
    if (stars > 1 || (stars === 1 && !loc.endsWith('*'))) {
      c.invalid(path, loc, `locality ${loc} wildcard '*' number can not exceed 1 and must be in the end`);
      continue;
    }
    if (loc.split('/').some((part) => part === '') || loc.split('/').length > 3) {
      c.invalid(path, loc, `locality ${loc} must not contain empty region/zone/subzone info`);
      continue;
    }
    const prefix = (s: string) => (s.endsWith('*') ? s.slice(0, -1) : `${s}/`);
    if (seen.some((s) => prefix(`${loc}`).startsWith(prefix(s)) || prefix(s).startsWith(prefix(loc)))) {
      c.invalid(path, loc, `locality ${loc} overlap with previous specified ones`);
    }
    seen.push(loc);
  }
}

function checkClientTls(c: IssueCollector, path: string, tls: ClientTLSSettings | undefined): void {
  if (!tls) return;
  if (
    tls.insecureSkipVerify &&
    tls.mode === 'SIMPLE' &&
    (tls.caCertificates || tls.credentialName || tls.subjectAltNames)
  ) {
    c.error(
      path,
      'cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true',
    );
  }
  if (tls.insecureSkipVerify && tls.mode === 'MUTUAL' && (tls.caCertificates || tls.subjectAltNames)) {
    c.error(path, 'cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true');
  }
  if ((tls.mode === 'SIMPLE' || tls.mode === 'MUTUAL') && tls.credentialName) {
    if (tls.clientCertificate || tls.caCertificates || tls.privateKey || tls.caCrl) {
      c.error(
        path,
        'cannot specify client certificates or CA certificate or CA CRL If credentialName is set',
      );
    }
    return;
  }
  if (tls.mode === 'MUTUAL') {
    if (!tls.clientCertificate)
      c.required(joinPath(path, 'clientCertificate'), 'client certificate required for mutual tls');
    if (!tls.privateKey) c.required(joinPath(path, 'privateKey'), 'private key required for mutual tls');
  }
}
