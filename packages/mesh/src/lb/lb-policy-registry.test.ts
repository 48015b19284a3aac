import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, RpcError } from '@shoal/rpc';
import { seededRandom } from '@shoal/testing';
import { createEndpoint } from './endpoint.js';
import { createLbPolicyRegistry, LbPolicyRegistry } from './lb-policy-registry.js';

describe('LbPolicyRegistry', () => {
  it('holds the built-in policies and their gRPC aliases', () => {
    const r = createLbPolicyRegistry();
    for (const name of [
      'round_robin',
      'random',
      'least_request',
      'ring_hash',
      'maglev',
      'ring_hash_experimental',
    ])
      assert.ok(r.has(name), name);
    const ep = createEndpoint({ address: '127.0.0.1', port: 1 });
    for (const name of r.names()) {
      const policy = r.create(name, {});
      assert.equal(policy.build([ep], { random: seededRandom(1) }).pick()!.endpoint, ep, name);
    }
  });

  it('is per instance: registering in one registry leaves others alone', () => {
    const a = createLbPolicyRegistry();
    const b = createLbPolicyRegistry();
    a.registerLbPolicy('first', () => ({
      name: 'first',
      hashBased: false,
      build: (endpoints) => ({ endpoints, pick: () => undefined }),
    }));
    assert.ok(a.has('first'));
    assert.ok(!b.has('first'));
    assert.ok(!new LbPolicyRegistry().has('round_robin'));
  });

  it('rejects unknown names and duplicates clearly', () => {
    const r = createLbPolicyRegistry();
    assert.throws(
      () => r.create('pick_last', {}, 'clusters[3].lbPolicy'),
      (e: unknown) =>
        e instanceof RpcError &&
        e.code === Code.INVALID_ARGUMENT &&
        /clusters\[3\]\.lbPolicy: unknown LB policy "pick_last"/.test(e.message),
    );
    assert.throws(() => r.registerLbPolicy('maglev', () => r.create('maglev', {})), /already registered/);
  });
});
