import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigObject } from '../api/config.js';
import {
  defaultWeights,
  newDestinationRule,
  newVirtualService,
  withConnectionPool,
  withFault,
  withMatchRoute,
  withOutlierDetection,
  withResilience,
  withWeights,
} from './rule-builders.js';

const HOST = 'greeter';
const stored: ConfigObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'greeter', namespace: 'default', resourceVersion: '7' },
  spec: {
    hosts: ['greeter'],
    http: [
      {
        name: 'testers',
        match: [{ headers: { 'x-user': { exact: 'tester' } } }],
        route: [{ destination: { host: HOST, subset: 'v2' } }],
      },
      { route: [{ destination: { host: HOST, subset: 'v1' } }] },
    ],
  },
};

describe('rule builders', () => {
  it('shifts the default route by weight and leaves match routes alone', () => {
    assert.deepEqual(defaultWeights(stored), [{ subset: 'v1', weight: 100 }]);
    const vs = withWeights(stored, HOST, [
      { subset: 'v1', weight: 80 },
      { subset: 'v2', weight: 20 },
    ]);
    assert.deepEqual((vs.spec.http as unknown[])[1], {
      route: [
        { destination: { host: HOST, subset: 'v1' }, weight: 80 },
        { destination: { host: HOST, subset: 'v2' }, weight: 20 },
      ],
    });
    assert.deepEqual((vs.spec.http as unknown[])[0], (stored.spec.http as unknown[])[0]);
    assert.equal(vs.metadata.resourceVersion, undefined, 'the store sets it, not the wizard');
    assert.deepEqual(defaultWeights(vs), [
      { subset: 'v1', weight: 80 },
      { subset: 'v2', weight: 20 },
    ]);
    const back = withWeights(vs, HOST, [
      { subset: 'v1', weight: 100 },
      { subset: 'v2', weight: 0 },
    ]);
    assert.deepEqual((back.spec.http as { route: unknown }[])[1]!.route, [
      { destination: { host: HOST, subset: 'v1' } },
    ]);
  });

  it('adds header and method routes before the default one, replacing by name', () => {
    const vs = withMatchRoute(stored, HOST, {
      name: 'greet-to-v2',
      method: 'greet.v1.GreeterService/Greet',
      header: { name: 'X-Canary', value: 'yes', kind: 'exact' },
      subset: 'v2',
    });
    const http = vs.spec.http as { name?: string; match?: unknown }[];
    assert.deepEqual(
      http.map((r) => r.name),
      ['testers', 'greet-to-v2', undefined],
    );
    assert.deepEqual(http[1]!.match, [
      { headers: { 'x-canary': { exact: 'yes' } }, uri: { exact: '/greet.v1.GreeterService/Greet' } },
    ]);
    const again = withMatchRoute(vs, HOST, {
      name: 'greet-to-v2',
      header: { name: 'a', value: 'b', kind: 'prefix' },
      subset: 'v1',
    });
    assert.equal((again.spec.http as unknown[]).length, 3);
  });

  it('sets timeout, retries and faults on the default route, and clears them', () => {
    const vs = withResilience(newVirtualService(HOST, 'default'), HOST, {
      timeout: '2s',
      retries: { attempts: 3, perTryTimeout: '500ms', retryOn: 'unavailable' },
    });
    const route = (vs.spec.http as Record<string, unknown>[])[0]!;
    assert.equal(route.timeout, '2s');
    assert.deepEqual(route.retries, { attempts: 3, perTryTimeout: '500ms', retryOn: 'unavailable' });
    const faulty = withFault(vs, HOST, {
      delayPercent: 10,
      fixedDelay: '200ms',
      abortPercent: 0,
      grpcStatus: 'UNAVAILABLE',
    });
    assert.deepEqual((faulty.spec.http as Record<string, unknown>[])[0]!.fault, {
      delay: { percentage: { value: 10 }, fixedDelay: '200ms' },
    });
    const clean = withFault(faulty, HOST, {
      delayPercent: 0,
      fixedDelay: '1s',
      abortPercent: 0,
      grpcStatus: 'UNAVAILABLE',
    });
    assert.equal((clean.spec.http as Record<string, unknown>[])[0]!.fault, undefined);
    assert.equal(Array.isArray(withResilience(vs, HOST, {}).spec.http), true);
  });

  it('writes outlier detection and circuit breaking into the DestinationRule', () => {
    const dr = withConnectionPool(
      withOutlierDetection(newDestinationRule(HOST, 'default'), {
        consecutive5xxErrors: 3,
        interval: '1s',
        baseEjectionTime: '10s',
        maxEjectionPercent: 100,
      }),
      { http2MaxRequests: 100, http1MaxPendingRequests: 10, maxRetries: 3, maxConnections: 10 },
    );
    assert.deepEqual(dr.spec.trafficPolicy, {
      outlierDetection: {
        consecutive5xxErrors: 3,
        interval: '1s',
        baseEjectionTime: '10s',
        maxEjectionPercent: 100,
      },
      connectionPool: {
        tcp: { maxConnections: 10 },
        http: { http2MaxRequests: 100, http1MaxPendingRequests: 10, maxRetries: 3 },
      },
    });
    assert.deepEqual(withOutlierDetection(dr, undefined).spec.trafficPolicy, {
      connectionPool:
        dr.spec.trafficPolicy && (dr.spec.trafficPolicy as Record<string, unknown>).connectionPool,
    });
  });
});
