import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientCapabilities, describeClient, identifyClient, lbPolicyFor } from './client-identity.js';

const policies = (name: string, version: string) => [
  ...clientCapabilities(identifyClient(name, version)).lbPolicies,
];

describe('client identity from the xDS Node', () => {
  it('reads the user agents real clients send', () => {
    // What Debian's python3-grpcio 1.51.1 and @grpc/grpc-js-xds 1.14.1 send (seen on the wire).
    const core = identifyClient('gRPC C-core linux Python', 'C-core 29.0.0 Python 1.51.1');
    assert.deepEqual(core, {
      implementation: 'grpc-core',
      version: '1.51.1',
      coreVersion: '29.0.0',
      language: 'Python',
    });
    assert.equal(describeClient(core), 'gRPC C-core 1.51.1 (Python)');
    const node = identifyClient('gRPC Node Pure JS', '1.14.1');
    assert.equal(describeClient(node), 'grpc-js-xds 1.14.1');
    assert.equal(describeClient(identifyClient('shoal-node', '0.1.0')), 'Shoal 0.1.0');
    assert.equal(
      describeClient(identifyClient('gRPC C-core linux', 'C-core 33.0.0')),
      'gRPC C-core core 33.0.0',
    );
    assert.equal(identifyClient('gRPC Java', '1.60.0').implementation, 'grpc-java');
    assert.equal(identifyClient('gRPC Go', '1.59.0').implementation, 'grpc-go');
    assert.deepEqual(identifyClient('', ''), { implementation: 'unknown', version: '' });
  });

  it('gives each gRPC release only the LB policies it reads', () => {
    // C-core 1.51 NACKs LEAST_REQUEST and crashes in the ring hash picker (grpc/grpc#31766).
    assert.deepEqual(policies('gRPC C-core linux Python', 'C-core 29.0.0 Python 1.51.1'), ['ROUND_ROBIN']);
    assert.deepEqual(policies('gRPC C-core linux Python', 'C-core 31.0.0 Python 1.53.0'), [
      'ROUND_ROBIN',
      'RING_HASH',
    ]);
    assert.deepEqual(policies('gRPC C-core linux', 'C-core 29.0.0'), ['ROUND_ROBIN']);
    assert.deepEqual(policies('gRPC C-core linux', 'C-core 40.0.0'), ['ROUND_ROBIN', 'RING_HASH']);
    assert.deepEqual(policies('gRPC C-core linux Ruby', 'C-core 17.0.0 Ruby 1.39.0'), ['ROUND_ROBIN']);
    assert.deepEqual(policies('gRPC Java', '1.48.0'), ['ROUND_ROBIN', 'LEAST_REQUEST', 'RING_HASH']);
    assert.deepEqual(policies('gRPC Go', '1.40.0'), ['ROUND_ROBIN']);
    assert.deepEqual(policies('gRPC Node Pure JS', '1.14.1'), ['ROUND_ROBIN', 'RING_HASH']);
    // Shoal, Envoy and clients that do not say are sent what is configured.
    for (const [name, version] of [
      ['shoal-node', '0.1.0'],
      ['envoy', ''],
      ['', ''],
    ] as const) {
      assert.deepEqual(policies(name, version), [
        'ROUND_ROBIN',
        'LEAST_REQUEST',
        'RANDOM',
        'RING_HASH',
        'MAGLEV',
      ]);
    }
  });

  it('falls back to the nearest policy the client reads', () => {
    const caps = (name: string, version: string) => clientCapabilities(identifyClient(name, version));
    const node = caps('gRPC Node Pure JS', '1.14.1');
    assert.equal(lbPolicyFor('MAGLEV', node), 'RING_HASH');
    assert.equal(lbPolicyFor('LEAST_REQUEST', node), 'ROUND_ROBIN');
    assert.equal(lbPolicyFor('RANDOM', node), 'ROUND_ROBIN');
    assert.equal(lbPolicyFor('RING_HASH', node), 'RING_HASH');
    const old = caps('gRPC C-core linux Python', 'C-core 29.0.0 Python 1.51.1');
    assert.equal(lbPolicyFor('MAGLEV', old), 'ROUND_ROBIN');
    assert.equal(lbPolicyFor('MAGLEV', caps('shoal-node', '0.1.0')), 'MAGLEV');
    assert.equal(caps('gRPC Node Pure JS', '1.14.1').key, caps('gRPC Go', '1.59.0').key);
    assert.notEqual(caps('gRPC Node Pure JS', '1.14.1').key, caps('shoal-node', '0.1.0').key);
  });
});
