// Every resource the translator emits must be accepted by Shoal's own xDS client (@shoal/xds
// decoders and validators), as it is by grpc-js-xds in interop/.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from '@shoal/xds';
import {
  decodeCluster,
  decodeClusterLoadAssignment,
  decodeListener,
  decodeRouteConfiguration,
} from '@shoal/xds/plugins';
import { bookinfoInput, clientNode } from '../../test/bookinfo-fixture.js';
import type { ConfigObject } from '../config/config-object.js';
import { Snapshot } from '../snapshot/snapshot.js';
import { Translator } from './translator.js';

const files = [
  'samples-bookinfo-networking-destination-rule-all.yaml',
  'samples-bookinfo-networking-virtual-service-reviews-jason-v2-v3.yaml',
  'samples-bookinfo-networking-virtual-service-ratings-test-delay.yaml',
  'samples-bookinfo-networking-fault-injection-details-v1.yaml',
];

const productpage: ConfigObject<'VirtualService'> = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'productpage', namespace: 'default' },
  spec: {
    hosts: ['productpage'],
    http: [
      {
        match: [
          { uri: { regex: '/api/.*' }, headers: { 'x-flag': {} }, queryParams: { q: { prefix: 'a' } } },
        ],
        timeout: '2s',
        retries: { attempts: 2, perTryTimeout: '500ms', retryOn: 'unavailable,cancelled' },
        route: [{ destination: { host: 'productpage', subset: 'v1' } }],
      },
    ],
  },
};

describe('translator output decodes with @shoal/xds', () => {
  it('listeners, routes, clusters and endpoints of the Bookinfo samples are all valid', () => {
    const input = bookinfoInput(files);
    input.virtualServices = [...input.virtualServices, productpage];
    input.destinationRules = input.destinationRules.map((dr) =>
      dr.metadata.name === 'ratings'
        ? {
            ...dr,
            spec: {
              ...dr.spec,
              trafficPolicy: {
                loadBalancer: { consistentHash: { httpHeaderName: 'x-user', minimumRingSize: 2048 } },
                connectionPool: { http: { http2MaxRequests: 10 } },
                outlierDetection: { consecutive5xxErrors: 3, interval: '5s', baseEjectionTime: '15s' },
              },
            },
          }
        : dr,
    );
    const t = new Translator(input);
    const snapshot = new Snapshot(t);
    const node = clientNode('default', { region: 'us-east', zone: 'us-east-1a', subZone: '' });
    const resources = (...args: Parameters<Snapshot['resources']>) =>
      new Map(snapshot.resources(...args).resources);
    const listeners = resources(LISTENER_TYPE_URL, { wildcard: true, names: new Set() }, node);
    listeners.set('x', t.resource(LISTENER_TYPE_URL, 'xds.istio.io/grpc/lds/inbound/10.1.0.1:9080', node)!);
    const clusters = resources(CLUSTER_TYPE_URL, { wildcard: true, names: new Set() }, node);
    const routes = resources(
      ROUTE_CONFIGURATION_TYPE_URL,
      { wildcard: false, names: new Set(listeners.keys()) },
      node,
    );
    const endpoints = resources(
      CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
      { wildcard: false, names: new Set(clusters.keys()) },
      node,
    );
    assert.ok(
      listeners.size >= 5 && routes.size >= 4 && clusters.size >= 14 && endpoints.size === clusters.size,
    );
    const check = (what: string, result: { ok: boolean; errors?: readonly string[] }) =>
      assert.ok(result.ok, `${what}: ${result.errors?.join('; ')}`);
    for (const [name, r] of listeners) check(`listener ${name}`, decodeListener(r.bytes));
    for (const [name, r] of routes) check(`route ${name}`, decodeRouteConfiguration(r.bytes));
    for (const [name, r] of clusters) check(`cluster ${name}`, decodeCluster(r.bytes));
    for (const [name, r] of endpoints) check(`endpoints ${name}`, decodeClusterLoadAssignment(r.bytes));
  });
});
