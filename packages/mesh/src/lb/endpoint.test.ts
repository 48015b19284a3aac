import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, RpcError } from '@shoal/rpc';
import { createEndpoint, isUsableHealth, localityKey } from './endpoint.js';

describe('createEndpoint', () => {
  it('fills defaults and the key, bracketing IPv6', () => {
    const e = createEndpoint({ address: '10.0.0.1', port: 8080 });
    assert.equal(e.key, '10.0.0.1:8080');
    assert.equal(e.hashKey, '10.0.0.1:8080');
    assert.equal(e.weight, 1);
    assert.equal(e.health, 'unknown');
    assert.equal(e.priority, 0);
    assert.deepEqual(e.locality, { region: '', zone: '', subZone: '' });
    assert.equal(e.localityKey, '//');
    const located = createEndpoint({
      address: 'a',
      port: 1,
      locality: { region: 'r', zone: 'z', subZone: 's' },
    });
    assert.equal(located.localityKey, 'r/z/s');
    assert.equal(createEndpoint({ address: '::1', port: 443 }).key, '[::1]:443');
    assert.equal(createEndpoint({ address: 'a', port: 1, hashKey: 'pod-7' }).hashKey, 'pod-7');
    assert.ok(Object.isFrozen(e) && Object.isFrozen(e.labels));
  });

  it('names every bad field under the given path', () => {
    assert.throws(
      () =>
        createEndpoint(
          { address: '', port: 70000, weight: 0, priority: -1, health: 'SICK' as 'healthy' },
          'endpoints[4]',
        ),
      (e: unknown) =>
        e instanceof RpcError &&
        e.code === Code.INVALID_ARGUMENT &&
        ['address', 'port', 'weight', 'priority', 'health'].every((f) =>
          e.message.includes(`endpoints[4].${f}`),
        ),
    );
  });

  it('treats only HEALTHY and UNKNOWN as usable (gRFC A27)', () => {
    assert.deepEqual(
      (['unknown', 'healthy', 'unhealthy', 'draining', 'timeout', 'degraded'] as const).filter(
        isUsableHealth,
      ),
      ['unknown', 'healthy'],
    );
  });

  it('keys localities by region/zone/sub-zone', () => {
    assert.equal(localityKey({ region: 'r', zone: 'z', subZone: 's' }), 'r/z/s');
  });
});
