import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, type RpcError } from '@shoal/rpc';
import { parseBootstrap } from '@shoal/xds';
import { Greeter } from '../../test/gen/shoal/meshtest/v1/greeter_pb.js';
import { registrationMetadata, withRegistration } from './node-registration.js';

describe('self-registration metadata (control-plane REGISTRATION.md)', () => {
  it('writes the contract keys', () => {
    assert.deepEqual(
      registrationMetadata({
        app: 'greeter',
        port: 50051,
        services: [Greeter, 'greet.v1.GreeterService', Greeter],
        labels: { version: 'v2' },
        weight: 3,
        namespace: 'prod',
        instanceIps: ['10.0.0.7', '10.0.0.8'],
      }),
      {
        SHOAL_APP: 'greeter',
        SHOAL_PORT: 50051,
        SHOAL_SERVICES: ['shoal.meshtest.v1.Greeter', 'greet.v1.GreeterService'],
        SHOAL_LABELS: { version: 'v2' },
        SHOAL_WEIGHT: 3,
        NAMESPACE: 'prod',
        INSTANCE_IPS: '10.0.0.7,10.0.0.8',
      },
    );
  });

  it('merges into a bootstrap node, with the locality', () => {
    const bootstrap = parseBootstrap({
      xds_servers: [{ server_uri: 'localhost:1', channel_creds: [{ type: 'insecure' }] }],
      node: { id: 'n1', metadata: { NAMESPACE: 'default', OTHER: 'kept' } },
    });
    const b = withRegistration(bootstrap, { app: 'greeter', port: 1, locality: { region: 'r', zone: 'z1' } });
    assert.deepEqual(b.node.metadata, {
      NAMESPACE: 'default',
      OTHER: 'kept',
      SHOAL_APP: 'greeter',
      SHOAL_PORT: 1,
    });
    assert.deepEqual(b.node.locality, { region: 'r', zone: 'z1', subZone: '' });
    assert.equal(b.node.id, 'n1');
    assert.deepEqual(
      bootstrap.node.metadata,
      { NAMESPACE: 'default', OTHER: 'kept' },
      'the input is unchanged',
    );
  });

  it('names every bad key', () => {
    assert.throws(
      () => registrationMetadata({ app: ' ', port: 70000, weight: 0, services: ['nodots'] }),
      (e: RpcError) =>
        e.code === Code.INVALID_ARGUMENT &&
        /SHOAL_APP: the app name must not be empty/.test(e.message) &&
        /SHOAL_PORT: 70000 is not a port number/.test(e.message) &&
        /SHOAL_WEIGHT: 0/.test(e.message) &&
        /SHOAL_SERVICES\[0\]: "nodots"/.test(e.message),
    );
  });
});
