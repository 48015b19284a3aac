import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, RpcError } from '@shoal/rpc';
import { type ClusterOptions, decodedCluster } from '../../test/xds-fixtures.js';
import { CircuitBreaker } from './circuit-breaker.js';

/** DEFAULT-priority thresholds as @shoal/xds decodes them (Envoy's defaults filled in). */
const limits = (t: ClusterOptions['thresholds'] = {}) =>
  decodedCluster('c', { thresholds: t }).circuitBreakers;

const cluster = 'outbound|8080||greeter.default.svc.cluster.local';

describe('CircuitBreaker', () => {
  it('fails fast with UNAVAILABLE at max_requests, naming the cluster and limit', () => {
    const cb = new CircuitBreaker(cluster, limits({ maxRequests: 2 }));
    const a = cb.acquire();
    const b = cb.acquire();
    assert.throws(
      () => cb.acquire(),
      (e: unknown) =>
        e instanceof RpcError &&
        e.code === Code.UNAVAILABLE &&
        e.message.includes(cluster) &&
        e.message.includes('max_requests 2'),
    );
    assert.equal(cb.overflows.requests, 1);
    a();
    const c = cb.acquire();
    b();
    c();
    assert.equal(cb.outstandingRequests, 0);
  });

  it('releases each slot exactly once', () => {
    const cb = new CircuitBreaker(cluster, limits({ maxRequests: 3 }));
    const a = cb.acquire();
    cb.acquire();
    a();
    a();
    a();
    assert.equal(cb.outstandingRequests, 1);
  });

  it('keeps held slots across a threshold change', () => {
    const cb = new CircuitBreaker(cluster, limits({ maxRequests: 5 }));
    const held = [cb.acquire(), cb.acquire(), cb.acquire()];
    cb.setThresholds(limits({ maxRequests: 2 }));
    assert.equal(cb.tryAcquire(), undefined);
    for (const r of held) r();
    assert.ok(cb.tryAcquire() !== undefined);
  });

  it('limits retries and pending calls separately', () => {
    const cb = new CircuitBreaker(cluster, limits({ maxRetries: 1, maxPendingRequests: 1 }));
    const r = cb.tryAcquireRetry();
    assert.ok(r);
    assert.equal(cb.tryAcquireRetry(), undefined);
    assert.ok(cb.tryAcquirePending());
    assert.equal(cb.tryAcquirePending(), undefined);
    assert.ok(cb.tryAcquire(), 'requests unaffected');
    r();
    assert.equal(cb.outstandingRetries, 0);
    assert.deepEqual(cb.overflows, { requests: 0, pending: 1, retries: 1 });
  });

  it('uses Envoy’s defaults and a zero limit refuses everything', () => {
    assert.deepEqual(limits(), {
      maxRequests: 1024,
      maxPendingRequests: 1024,
      maxRetries: 3,
    });
    assert.deepEqual(decodedCluster('c').circuitBreakers, limits(), 'no circuit_breakers at all: the same');
    const cb = new CircuitBreaker(cluster, limits({ maxRequests: 0 }));
    assert.equal(cb.tryAcquire(), undefined);
  });
});
