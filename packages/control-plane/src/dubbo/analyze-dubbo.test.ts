import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as docs from '../../test/dubbo-doc-rules.js';
import { appInput, consumer, loadRules, reachable } from '../../test/dubbo-harness.js';
import { analyzeConfig } from '../config/analyze.js';
import { formatIssue } from '../config/issues.js';
import { Translator } from '../translate/translator.js';

const istio = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: detail}
spec:
  hosts: [shop-detail]
  http:
  - route:
    - destination: {host: shop-detail}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: detail}
spec:
  host: shop-detail
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
`;

describe('precedence between Dubbo and Istio rules', () => {
  it('warns on the Dubbo rule an Istio rule overrides', () => {
    const objects = loadRules(
      `${istio}---\n${docs.GRAY_TAG}---\nscope: application\nkey: shop-detail\nconfigs:\n  - {side: consumer, parameters: {loadbalance: random, timeout: 500}}\n---\napiVersion: service.dubbo.apache.org/v1alpha1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {host: shop-detail}`,
    );
    const warnings = analyzeConfig(objects).warnings.map(formatIssue);
    const expected = [
      'TagRoute/default/shop-detail.tag-router: spec.key: shop-detail.default.svc.cluster.local is routed by VirtualService/default/detail, which takes precedence: this rule does not route its calls',
      'DynamicConfig/default/shop-detail.configurators: spec.configs[0].parameters.loadbalance: DestinationRule/default/detail sets the load balancer of shop-detail.default.svc.cluster.local, which takes precedence',
      'DynamicConfig/default/shop-detail.configurators: spec.configs[0].parameters.timeout: shop-detail.default.svc.cluster.local is routed by VirtualService/default/detail: its routes carry their own timeout, not this one',
      "DubboDestinationRule/default/d: spec.host: also configured by DestinationRule/default/detail: Istio's DestinationRule takes precedence",
    ];
    for (const e of expected) assert.ok(warnings.includes(e), `missing ${e} in\n${warnings.join('\n')}`);
  });

  it("finds the service of a service-scope rule through the registry's interfaces", () => {
    const objects = loadRules(`${istio}---\n${docs.ARGUMENTS}`);
    const interfaceHosts = new Map([
      ['org.apache.dubbo.samples.DetailService', ['shop-detail.default.svc.cluster.local']],
    ]);
    const warnings = analyzeConfig(objects, { interfaceHosts }).warnings.map(formatIssue);
    assert.ok(
      warnings.some((w) =>
        w.startsWith(
          'ConditionRoute/default/org.apache.dubbo.samples.DetailService::.condition-router: spec.key: shop-detail.default.svc.cluster.local is routed by VirtualService/default/detail',
        ),
      ),
    );
  });

  it('applies the precedence it warns about: the VirtualService routes, the tag rule does not', () => {
    const input = appInput(
      'shop-detail',
      ['org.apache.dubbo.samples.DetailService'],
      [{ labels: { env: 'gray' } }, { labels: {} }],
      `${istio}---\n${docs.GRAY_TAG}`,
    );
    const t = new Translator(input);
    const untagged = reachable(t, 'org.apache.dubbo.samples.DetailService', consumer('shop-frontend'), {
      path: '/org.apache.dubbo.samples.DetailService/getItem',
    });
    assert.deepEqual(untagged, ['10.0.0.1:50051', '10.0.0.2:50051']);
  });
});
