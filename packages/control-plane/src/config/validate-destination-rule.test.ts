import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorsOf, itRejects, type RejectCase } from '../../test/validation-cases.js';

const dr = (spec: string) => `apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: d}
spec:
  host: reviews
${spec}`;

const cases: RejectCase[] = [
  [
    'duplicate subsets',
    dr('  subsets:\n  - name: v1\n  - name: v1'),
    'spec.subsets[1].name: Duplicate value: "v1": duplicate subset names: v1',
  ],
  [
    'subset labels',
    dr('  subsets:\n  - name: v1\n    labels: {version: "v 1"}'),
    'spec.subsets[0].labels.version: Invalid value: "v 1": invalid label value',
  ],
  [
    'empty traffic policy',
    dr('  trafficPolicy: {}'),
    'spec.trafficPolicy: traffic policy must have at least one field',
  ],
  [
    'simple enum',
    dr('  trafficPolicy: {loadBalancer: {simple: FASTEST}}'),
    'spec.trafficPolicy.loadBalancer.simple: Unsupported value: "FASTEST"',
  ],
  [
    'consistent hash with two keys',
    dr('  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x, useSourceIp: true}}}'),
    'spec.trafficPolicy.loadBalancer.consistentHash: only one of httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName can be set',
  ],
  [
    'consistent hash with no key',
    dr('  trafficPolicy: {loadBalancer: {consistentHash: {ringHash: {minimumRingSize: 1024}}}}'),
    'spec.trafficPolicy.loadBalancer.consistentHash: Required value',
  ],
  [
    'simple and consistentHash',
    dr('  trafficPolicy: {loadBalancer: {simple: RANDOM, consistentHash: {useSourceIp: true}}}'),
    'only one of simple or consistentHash can be set',
  ],
  [
    'maglev prime',
    dr('  trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true, maglev: {tableSize: 1000}}}}'),
    'tableSize must be a prime number for maglev',
  ],
  [
    'cookie name',
    dr('  trafficPolicy: {loadBalancer: {consistentHash: {httpCookie: {name: "", ttl: 10s}}}}'),
    'consistentHash.httpCookie.name: Required value',
  ],
  [
    'distribute and failover',
    dr(
      '  trafficPolicy:\n    loadBalancer:\n      localityLbSetting:\n        distribute: [{from: a/*, to: {"a/*": 100}}]\n        failover: [{from: a, to: b}]',
    ),
    "can not simultaneously specify 'distribute' and 'failover'",
  ],
  [
    'distribute weights',
    dr(
      '  trafficPolicy:\n    loadBalancer:\n      localityLbSetting:\n        distribute: [{from: "us/*", to: {"us/a/*": 60, "us/b/*": 30}}]',
    ),
    'total locality weight 90 != 100',
  ],
  [
    'failover same region',
    dr(
      '  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 2}\n    loadBalancer:\n      localityLbSetting:\n        failover: [{from: us, to: us}]',
    ),
    'locality lb failover settings must specify different regions',
  ],
  [
    'locality wildcard',
    dr(
      '  trafficPolicy:\n    loadBalancer:\n      localityLbSetting:\n        distribute: [{from: "us/*/a", to: {"eu": 100}}]',
    ),
    "wildcard '*' number can not exceed 1 and must be in the end",
  ],
  [
    'outlier percent',
    dr('  trafficPolicy: {outlierDetection: {maxEjectionPercent: 150}}'),
    'spec.trafficPolicy.outlierDetection.maxEjectionPercent: Invalid value: 150: percentage 150 is not in range 0..100',
  ],
  [
    'outlier local origin',
    dr('  trafficPolicy: {outlierDetection: {consecutiveLocalOriginFailures: 3}}'),
    'split external local origin errors is set to false',
  ],
  [
    'connection pool negative',
    dr('  trafficPolicy: {connectionPool: {tcp: {maxConnections: -1}}}'),
    'spec.trafficPolicy.connectionPool.tcp.maxConnections: Invalid value: -1: must be non-negative',
  ],
  [
    'mutual tls needs certs',
    dr('  trafficPolicy: {tls: {mode: MUTUAL}}'),
    'spec.trafficPolicy.tls.clientCertificate: Required value',
  ],
  [
    'port level without port',
    dr('  trafficPolicy: {portLevelSettings: [{loadBalancer: {simple: RANDOM}}]}'),
    'portTrafficPolicy must have valid port',
  ],
];

describe('DestinationRule rules', () => {
  itRejects(cases);

  it('accepts DestinationRules with consistent hash, locality and connection pools', () => {
    const errors = errorsOf(
      dr(`  trafficPolicy:
    loadBalancer:
      consistentHash: {httpHeaderName: x-user, ringHash: {minimumRingSize: 1024}}
      localityLbSetting:
        distribute: [{from: "us-east/*", to: {"us-east/a/*": 80, "us-west/*": 20}}]
    connectionPool: {tcp: {maxConnections: 100, connectTimeout: 30ms}, http: {http2MaxRequests: 1000}}
    outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m, maxEjectionPercent: 50}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}`),
    );
    assert.deepEqual(errors, []);
  });
});
