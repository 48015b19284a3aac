// Dubbo's mesh rules (service.dubbo.apache.org/v1alpha1 VirtualService and DestinationRule) as
// the routes the translator sends, matched as Dubbo's StandardMeshRuleRouter does.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  appInput,
  type Call,
  callOutcome,
  consumer,
  instanceAddress as ep,
  shopInterface as I,
  shopPath as path,
  reachable,
} from '../../test/dubbo-harness.js';
import { GetItemRequest } from '../../test/shop-services.js';
import { Translator } from '../translate/translator.js';

const frontend = consumer('shop-frontend');

describe("Dubbo's mesh rules (service.dubbo.apache.org/v1alpha1)", () => {
  const rules = (detail: string) => `apiVersion: service.dubbo.apache.org/v1alpha1
kind: VirtualService
metadata: {name: detail-route}
spec:
  hosts: [shop-detail]
  dubbo:
    - name: detail
      services: [{exact: ${I('DetailService')}}]
      routedetail:
${detail}
---
apiVersion: service.dubbo.apache.org/v1alpha1
kind: DestinationRule
metadata: {name: detail-route}
spec:
  host: shop-detail
  subsets:
    - {name: v1, labels: {detailVersion: v1}}
    - {name: v2, labels: {detailVersion: v2}}
    - {name: v3, labels: {detailVersion: v3}}
`;
  const instances = [{ labels: { detailVersion: 'v1' } }, { labels: { detailVersion: 'v2' } }];
  const t = (detail: string) =>
    new Translator(appInput('shop-detail', [I('DetailService')], instances, rules(detail)));

  it("weights, a method match and arguments route like Dubbo's StandardMeshRuleRouter", () => {
    const tr = t(`        - name: vip
          match:
            - method:
                name_match: {exact: getItem}
                args: [{index: 1, str_value: {oneof: [{exact: dubbo}]}}]
          route:
            - destination: {host: shop-detail, subset: v2}
        - name: split
          route:
            - {destination: {host: shop-detail, subset: v1}, weight: 60}
            - {destination: {host: shop-detail, subset: v2}, weight: 40}`);
    const call = (username: string): Call => ({
      path: path('DetailService', 'getItem'),
      message: { schema: GetItemRequest, init: { username } },
    });
    assert.deepEqual(reachable(tr, I('DetailService'), frontend, call('dubbo')), [ep(2)]);
    const split = callOutcome(tr, I('DetailService'), frontend, call('alice'));
    assert.deepEqual(
      split.clusters.map((c) => [c.weight, c.cluster.split('|')[2], c.endpoints]),
      [
        [60, 'v1', [ep(1)]],
        [40, 'v2', [ep(2)]],
      ],
    );
    // Another service of the host: no Dubbo route matches, every instance.
    assert.deepEqual(reachable(tr, 'shop-detail:50051', frontend, { path: '/other.Service/x' }), [
      ep(1),
      ep(2),
    ]);
  });

  it('a destination whose subset has no instance takes its fallback', () => {
    const tr = t(`        - route:
            - destination:
                host: shop-detail
                subset: v3
                fallback: {destination: {host: shop-detail, subset: v1}}`);
    assert.deepEqual(
      reachable(tr, I('DetailService'), frontend, { path: path('DetailService', 'getItem') }),
      [ep(1)],
    );
  });
});
