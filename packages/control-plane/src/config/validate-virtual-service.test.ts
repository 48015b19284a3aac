import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { itRejects, type RejectCase, validator, warningsOf } from '../../test/validation-cases.js';
import { loadConfigText } from './load-config.js';

const vs = (http: string, extra = '') => `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: r, namespace: shop}
spec:
  hosts: [reviews]
${extra}  http:
${http}`;

const cases: RejectCase[] = [
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
];

describe('VirtualService rules', () => {
  itRejects(cases);

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
});
