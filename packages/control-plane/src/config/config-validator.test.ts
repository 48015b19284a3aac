import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigValidator } from './config-validator.js';
import { formatIssue } from './issues.js';
import { loadConfigText } from './load-config.js';

const validator = new ConfigValidator();

function errorsOf(yaml: string): string[] {
  return loadConfigText(yaml, { validator }).errors.map(formatIssue);
}

function warningsOf(yaml: string): string[] {
  return loadConfigText(yaml, { validator }).warnings.map(formatIssue);
}

const vs = (http: string, extra = '') => `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: r, namespace: shop}
spec:
  hosts: [reviews]
${extra}  http:
${http}`;

const dr = (spec: string) => `apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: d}
spec:
  host: reviews
${spec}`;

const se = (spec: string) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: s}
spec:
${spec}`;

const cases: [string, string, string][] = [
  // [what, document, expected error text]
  [
    'weights must add to 100',
    vs(
      '  - route:\n    - destination: {host: a, subset: v1}\n      weight: 80\n    - destination: {host: a, subset: v2}\n      weight: 30',
    ),
    'VirtualService/shop/r: spec.http[0].route: Invalid value: [80,30]: total destination weight 110 != 100',
  ],
  [
    'weights all zero',
    vs('  - route:\n    - destination: {host: a}\n    - destination: {host: b}'),
    'spec.http[0].route: Invalid value: 2: total destination weight = 0',
  ],
  [
    'weight over 100',
    vs('  - route:\n    - destination: {host: a}\n      weight: 120'),
    'spec.http[0].route[0].weight: Invalid value: 120: weight must be in range 0..100',
  ],
  [
    'route required',
    vs('  - timeout: 1s'),
    'spec.http[0].route: Required value: HTTP route or redirect is required',
  ],
  [
    'route and redirect',
    vs('  - redirect: {uri: /x}\n    route:\n    - destination: {host: a}'),
    'HTTP route cannot contain both route and redirect',
  ],
  [
    'bad duration',
    vs('  - timeout: 10\n    route:\n    - destination: {host: a}'),
    'spec.http[0].timeout: Invalid value: 10: must be of type string',
  ],
  [
    'sub-ms duration',
    vs('  - timeout: 1500us\n    route:\n    - destination: {host: a}'),
    'spec.http[0].timeout: Invalid value: "1500us": only durations to ms precision are supported',
  ],
  [
    'zero duration',
    vs('  - timeout: 0s\n    route:\n    - destination: {host: a}'),
    'duration must be greater than 1ms',
  ],
  [
    'retryOn',
    vs('  - retries: {attempts: 2, retryOn: "5xx,teapot"}\n    route:\n    - destination: {host: a}'),
    'spec.http[0].retries.retryOn: Invalid value: "teapot": "teapot" is not a valid retryOn policy',
  ],
  [
    'retries with 0 attempts',
    vs('  - retries: {attempts: 0, perTryTimeout: 1s}\n    route:\n    - destination: {host: a}'),
    'http retry policy configured when attempts are set to 0 (disabled)',
  ],
  [
    'fault without abort or delay',
    vs('  - fault: {}\n    route:\n    - destination: {host: a}'),
    'spec.http[0].fault: HTTP fault injection must have an abort and/or a delay',
  ],
  [
    'fault percentage',
    vs(
      '  - fault: {abort: {httpStatus: 503, percentage: {value: 120}}}\n    route:\n    - destination: {host: a}',
    ),
    'spec.http[0].fault.abort.percentage.value: Invalid value: 120: percentage 120 is neither 0.0, nor in range [0.0001, 100.0]',
  ],
  [
    'fault http status',
    vs('  - fault: {abort: {httpStatus: 99}}\n    route:\n    - destination: {host: a}'),
    'HTTP status 99 is not in range 200-599',
  ],
  [
    'fault grpc status',
    vs('  - fault: {abort: {grpcStatus: nope}}\n    route:\n    - destination: {host: a}'),
    'spec.http[0].fault.abort.grpcStatus: Invalid value: "nope"',
  ],
  [
    'delay without fixedDelay',
    vs('  - fault: {delay: {percentage: {value: 5}}}\n    route:\n    - destination: {host: a}'),
    'spec.http[0].fault.delay.fixedDelay: Required value',
  ],
  [
    'string match with two kinds',
    vs('  - match:\n    - uri: {exact: /a, prefix: /b}\n    route:\n    - destination: {host: a}'),
    'spec.http[0].match[0].uri: only one of exact, prefix or regex can be set',
  ],
  [
    'bad regex',
    vs('  - match:\n    - uri: {regex: "(a"}\n    route:\n    - destination: {host: a}'),
    'spec.http[0].match[0].uri.regex: Invalid value: "(a"',
  ],
  [
    'lookahead regex',
    vs('  - match:\n    - headers: {x: {regex: "(?=a)"}}\n    route:\n    - destination: {host: a}'),
    'lookaround and backreferences are not supported',
  ],
  [
    'header name',
    vs('  - match:\n    - headers: {"bad header": {exact: a}}\n    route:\n    - destination: {host: a}'),
    'header name bad header is not a valid header name',
  ],
  [
    'subset name',
    vs('  - route:\n    - destination: {host: a, subset: V_1}'),
    'spec.http[0].route[0].destination.subset: Invalid value: "V_1": subset name is invalid: V_1',
  ],
  ['destination host', vs('  - route:\n    - destination: {host: "*"}'), 'invalid destination host *'],
  [
    'destination port',
    vs('  - route:\n    - destination: {host: a, port: {number: 70000}}'),
    'spec.http[0].route[0].destination.port.number: Invalid value: 70000: port number 70000 must be in the range 1..65535',
  ],
  [
    'unknown field',
    vs('  - route:\n    - destination: {host: a, subnet: v1}'),
    'spec.http[0].route[0].destination.subnet: Unknown field',
  ],
  [
    'method',
    vs('  - match:\n    - method: {exact: get}\n    route:\n    - destination: {host: a}'),
    '"get" is not a supported HTTP method',
  ],
  [
    'wildcard host for mesh',
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: w}\nspec:\n  hosts: ["*"]\n  http:\n  - route:\n    - destination: {host: a}`,
    'wildcard host * is not allowed for virtual services bound to the mesh gateway',
  ],
  [
    'duplicate hosts',
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: w}\nspec:\n  hosts: [a.example.com, "*.example.com"]\n  http:\n  - route:\n    - destination: {host: a}`,
    'duplicate hosts in virtual service',
  ],
  [
    'bad host',
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: w}\nspec:\n  hosts: [Bad_Host]\n  http:\n  - route:\n    - destination: {host: a}`,
    'spec.hosts[0]: Invalid value: "Bad_Host": domain name "Bad_Host" invalid (label "Bad_Host" invalid)',
  ],
  [
    'no routes at all',
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: w}\nspec:\n  hosts: [a]`,
    'http, tcp or tls must be provided in virtual service',
  ],
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
  [
    'host required',
    'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {}',
    'DestinationRule/default/d: spec.host: Required value',
  ],
  [
    'STATIC endpoint must be IP',
    se(
      '  hosts: [a.example.com]\n  resolution: STATIC\n  ports: [{number: 80, name: http}]\n  endpoints: [{address: foo.example.com}]',
    ),
    'spec.endpoints[0].address: Invalid value: "foo.example.com": endpoint address "foo.example.com" is not a valid IP address',
  ],
  [
    'endpoint port not in service',
    se(
      '  hosts: [a.example.com]\n  resolution: STATIC\n  ports: [{number: 80, name: http}]\n  endpoints: [{address: 1.2.3.4, ports: {grpc: 9000}}]',
    ),
    'endpoint port grpc is not defined by the service entry',
  ],
  [
    'DNS needs FQDN hosts',
    se('  hosts: ["*.example.com"]\n  resolution: DNS'),
    'hosts must be FQDN if no endpoints are provided for resolution mode DNS',
  ],
  [
    'bad CIDR',
    se('  hosts: [a.example.com]\n  addresses: [1.2.3.4/99]'),
    'spec.addresses[0]: Invalid value: "1.2.3.4/99": 1.2.3.4/99 is not a valid CIDR block',
  ],
  [
    'protocol',
    se('  hosts: [a.example.com]\n  ports: [{number: 80, name: http, protocol: SPDY}]'),
    'unsupported protocol: SPDY',
  ],
  [
    'port name',
    se('  hosts: [a.example.com]\n  ports: [{number: 80, name: Http_1}]'),
    'invalid port name: Http_1',
  ],
  [
    'multiple hosts and TCP',
    se(
      '  hosts: [a.example.com, b.example.com]\n  resolution: DNS\n  ports: [{number: 5432, name: pg, protocol: TCP}]',
    ),
    'multiple hosts provided with non-HTTP, non-TLS ports',
  ],
  [
    'resolution enum',
    se('  hosts: [a.example.com]\n  resolution: MAGIC'),
    'spec.resolution: Unsupported value: "MAGIC"',
  ],
  [
    'workload entry needs address',
    'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {labels: {app: a}}',
    'WorkloadEntry/default/w: spec.address: Required value: address is required',
  ],
  [
    'workload entry port',
    'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {address: 1.2.3.4, ports: {grpc: 0}}',
    'spec.ports.grpc: Invalid value: 0: port must be between 1-65535',
  ],
  [
    'workload entry locality',
    'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {address: 1.2.3.4, locality: "a//c"}',
    'spec.locality: Invalid value: "a//c"',
  ],
  [
    'workload entry unix with ports',
    'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {address: "unix://relative", ports: {http: 80}}',
    'relative is not an absolute path to a file',
  ],
  [
    'workload entry weight',
    'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {address: 1.2.3.4, weight: -1}',
    'spec.weight: Invalid value: -1: must be >= 0',
  ],
  [
    'peer authn port level without selector',
    'apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec: {portLevelMtls: {"8080": {mode: DISABLE}}}',
    'mesh/namespace peer authentication cannot have port level mTLS',
  ],
  [
    'peer authn mode',
    'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec: {mtls: {mode: ON}}',
    'spec.mtls.mode: Unsupported value: "ON"',
  ],
  [
    'authz deny without rules',
    'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {action: DENY}',
    'DENY action without `rules` is meaningless',
  ],
  [
    'authz bad ip',
    'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec:\n  rules: [{from: [{source: {ipBlocks: ["1.2.3.300"]}}]}]',
    'spec.rules[0].from[0].source.ipBlocks[0]: Invalid value: "1.2.3.300"',
  ],
  [
    'authz bad port',
    'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec:\n  rules: [{to: [{operation: {ports: ["http"]}}]}]',
    'invalid port: http',
  ],
  [
    'unsupported apiVersion',
    'apiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata: {name: v}\nspec: {}',
    'VirtualService/default/v: apiVersion: Unsupported value: "networking.istio.io/v2"',
  ],
  ['missing kind', 'apiVersion: v1\nmetadata: {name: v}', 'document 0: kind: Required value'],
  [
    'missing name',
    'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {}\nspec: {hosts: [a.b]}',
    'document 0: metadata.name: Required value',
  ],
  [
    'bad name',
    'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: Bad_Name}\nspec: {hosts: [a.b]}',
    'metadata.name: Invalid value: "Bad_Name"',
  ],
  ['not an object', '- 1\n- 2', 'document 0: Invalid value: 1: a document must be an object'],
  [
    'kubernetes service port',
    'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 0, name: http}]}',
    'Service/default/s: spec.ports[0].port: Invalid value: 0',
  ],
];

describe('ConfigValidator rules', () => {
  for (const [what, doc, expected] of cases) {
    it(`rejects: ${what}`, () => {
      const errors = errorsOf(doc);
      assert.ok(
        errors.some((e) => e.includes(expected)),
        `expected ${JSON.stringify(expected)} in:\n${errors.join('\n')}`,
      );
    });
  }

  it('still runs the rules when the only shape errors are unknown fields', () => {
    const errors = errorsOf(se('  hosts: ["*"]\n  hostz: [a]'));
    assert.ok(
      errors.some((e) => e.includes('spec.hostz: Unknown field')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.includes('hostname cannot be wildcard')),
      errors.join('\n'),
    );
  });

  it('reports every error of a document at once', () => {
    const errors = errorsOf(se('  hosts: ["*"]\n  ports: [{number: 0, name: a}, {number: 0, name: a}]'));
    assert.ok(errors.length >= 4, errors.join('\n'));
  });

  it('accepts a full VirtualService and keeps its fields', () => {
    const loaded = loadConfigText(
      vs(`  - name: canary
    match:
    - uri: {prefix: /api}
      headers: {x-user: {exact: jason}, x-present: {}}
      queryParams: {debug: {regex: "^1$"}}
    route:
    - destination: {host: reviews, subset: v2, port: {number: 9080}}
      weight: 25
    - destination: {host: reviews, subset: v1}
      weight: 75
    timeout: 1.5s
    retries: {attempts: 3, perTryTimeout: 100ms, retryOn: "unavailable,cancelled,503"}
    fault:
      delay: {fixedDelay: 7s, percentage: {value: 0.5}}
      abort: {grpcStatus: UNAVAILABLE, percentage: {value: 10}}
    headers: {request: {set: {x-a: b}}, response: {remove: [x-b]}}
  - route:
    - destination: {host: reviews, subset: v1}`),
      { validator },
    );
    assert.deepEqual(loaded.errors, []);
    assert.deepEqual(loaded.warnings, []);
    const o = loaded.objects[0];
    assert.equal(o?.kind, 'VirtualService');
    assert.equal(o?.metadata.namespace, 'shop');
    if (o?.kind === 'VirtualService') assert.equal(o.spec.http?.[0]?.retries?.perTryTimeout, '100ms');
  });

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

  it('warns about rules after a catch-all and about unused Istio kinds', () => {
    const warnings = warningsOf(
      `${vs('  - route:\n    - destination: {host: a}\n  - match: [{uri: {prefix: /x}}]\n    route:\n    - destination: {host: b}')}\n---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec: {}`,
    );
    assert.ok(
      warnings.some((w) => w.includes('spec.http[1]: virtualService rule #1 not used')),
      warnings.join('\n'),
    );
    assert.ok(
      warnings.some((w) =>
        w.includes('Gateway/default/g: kind: Gateway (networking.istio.io/v1) is not used by Shoal'),
      ),
    );
  });

  it('warns, but accepts, a WorkloadEntry with only a network', () => {
    const loaded = loadConfigText(
      'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {network: n1}',
      { validator },
    );
    assert.equal(loaded.errors.length, 0);
    assert.match(loaded.warnings[0]?.message ?? '', /address is unset with network "n1"/);
  });

  it('drops status and extra metadata and copies the spec', () => {
    const raw = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'WorkloadEntry',
      metadata: { name: 'w', uid: 'x', labels: { a: 'b' } },
      spec: { address: '10.0.0.1', labels: { app: 'x' } },
      status: { conditions: [] },
    };
    const result = validator.validate(raw, { index: 0 });
    assert.deepEqual(result.object, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'WorkloadEntry',
      metadata: { name: 'w', namespace: 'default', labels: { a: 'b' } },
      spec: { address: '10.0.0.1', labels: { app: 'x' } },
    });
    raw.spec.labels.app = 'changed';
    assert.equal((result.object as { spec: { labels: Record<string, string> } }).spec.labels.app, 'x');
  });
});
