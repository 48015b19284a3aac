import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigValidator } from '../config/config-validator.js';
import { virtualServicesFromHttpRoute } from './gamma-http-route.js';

const route = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'greeter', namespace: 'shop' },
  spec: {
    parentRefs: [
      { group: '', kind: 'Service', name: 'greeter', port: 50051 },
      { name: 'edge-gateway' }, // kind defaults to Gateway: not a mesh route
    ],
    rules: [
      {
        matches: [
          {
            path: { type: 'Exact', value: '/greet.v1.GreeterService/Greet' },
            headers: [{ name: 'X-User', value: 'tester' }],
            queryParams: [{ type: 'RegularExpression', name: 'debug', value: '1|true' }],
            method: 'POST',
          },
        ],
        backendRefs: [{ name: 'greeter-v2', port: 50051 }],
        filters: [{ type: 'RequestMirror' }],
        timeouts: { request: '500ms' },
      },
      {
        backendRefs: [
          { name: 'greeter-v1', port: 50051, weight: 3 },
          { name: 'greeter-v2', port: 50051, weight: 1 },
          { kind: 'Backend', group: 'example.com', name: 'other' },
        ],
      },
    ],
  },
};

it('turns a GAMMA HTTPRoute into a valid VirtualService for its Service parent', () => {
  const { documents, warnings } = virtualServicesFromHttpRoute(route);
  assert.equal(documents.length, 1, 'the Gateway parent makes none');
  assert.deepEqual(documents[0], {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: {
      name: 'greeter-httproute',
      namespace: 'shop',
      annotations: { 'shoal.io/from': 'HTTPRoute/shop/greeter' },
    },
    spec: {
      hosts: ['greeter.shop.svc.cluster.local'],
      http: [
        {
          match: [
            {
              uri: { exact: '/greet.v1.GreeterService/Greet' },
              headers: { 'x-user': { exact: 'tester' } },
              queryParams: { debug: { regex: '1|true' } },
              method: { exact: 'POST' },
            },
          ],
          route: [{ destination: { host: 'greeter-v2.shop.svc.cluster.local', port: { number: 50051 } } }],
          timeout: '500ms',
        },
        {
          route: [
            {
              destination: { host: 'greeter-v1.shop.svc.cluster.local', port: { number: 50051 } },
              weight: 75,
            },
            {
              destination: { host: 'greeter-v2.shop.svc.cluster.local', port: { number: 50051 } },
              weight: 25,
            },
          ],
        },
      ],
    },
  });
  assert.deepEqual(warnings, [
    'rules[0].filters: RequestMirror is not applied by Shoal',
    'rules[1].backendRefs: Backend/other is not a Service; left out',
  ]);
  const checked = new ConfigValidator().validate(documents[0], { index: 0 });
  assert.deepEqual(
    checked.issues.filter((i) => i.severity === 'error'),
    [],
  );
});
