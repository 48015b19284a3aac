import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNodeRegistration } from './node-registration.js';

describe('parseNodeRegistration', () => {
  it('reads the Shoal keys, Istio labels and the Node locality', () => {
    const { registration, errors } = parseNodeRegistration({
      id: 'greeter-1',
      metadata: {
        SHOAL_APP: 'greeter',
        SHOAL_SERVICES: ['greet.v1.GreeterService', 'greet.v1.Admin'],
        SHOAL_PORT: 50051,
        SHOAL_LABELS: { version: 'v2' },
        LABELS: { app: 'ignored-because-SHOAL_APP', version: 'v1', team: 'a' },
        NAMESPACE: 'shop',
        INSTANCE_IPS: '10.0.0.7,fd00::7',
        SERVICE_ACCOUNT: 'greeter',
        SHOAL_WEIGHT: '3',
      },
      locality: { region: 'us-east', zone: 'us-east-1a', subZone: 'rack1' },
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(registration, {
      nodeId: 'greeter-1',
      app: 'greeter',
      namespace: 'shop',
      hostname: 'greeter.shop.svc.cluster.local',
      address: '10.0.0.7',
      port: 50051,
      interfaces: ['greet.v1.GreeterService', 'greet.v1.Admin'],
      labels: { app: 'ignored-because-SHOAL_APP', version: 'v2', team: 'a' },
      weight: 3,
      locality: 'us-east/us-east-1a/rack1',
      serviceAccount: 'greeter',
    });
  });

  it('accepts string forms, FQDN apps, and falls back to the peer address and topology labels', () => {
    const { registration, errors } = parseNodeRegistration(
      {
        id: 'n2',
        metadata: {
          SHOAL_APP: 'greeter.example.com',
          SHOAL_SERVICES: 'a.B, c.D',
          SHOAL_PORT: '8080',
          SHOAL_LABELS: '{"version":"v1"}',
          LABELS: { 'topology.kubernetes.io/region': 'eu', 'topology.kubernetes.io/zone': 'eu-1' },
        },
      },
      { peerAddress: '127.0.0.1' },
    );
    assert.deepEqual(errors, []);
    assert.equal(registration?.hostname, 'greeter.example.com');
    assert.equal(registration?.namespace, 'default');
    assert.deepEqual(registration?.interfaces, ['a.B', 'c.D']);
    assert.equal(registration?.port, 8080);
    assert.equal(registration?.address, '127.0.0.1');
    assert.equal(registration?.locality, 'eu/eu-1');
    assert.equal(registration?.weight, 1);
    assert.equal(registration?.draining, undefined);
  });

  it('reads SHOAL_DRAINING: an instance shutting down', () => {
    const node = (draining: unknown) =>
      parseNodeRegistration({
        id: 'n3',
        metadata: { SHOAL_APP: 'greeter', SHOAL_PORT: 1, INSTANCE_IPS: '10.0.0.1', SHOAL_DRAINING: draining },
      });
    assert.equal(node(true).registration?.draining, true);
    assert.equal(node('true').registration?.draining, true);
    assert.equal(node(false).registration?.draining, undefined);
    assert.deepEqual(node('soon').errors, [
      'node metadata SHOAL_DRAINING: Invalid value: "soon": must be true or false',
    ]);
  });

  it('reads istiod-style metadata: app label, namespace and IP from the sidecar id', () => {
    const { registration, errors } = parseNodeRegistration({
      id: 'sidecar~10.1.2.3~echo-v1-abc.echo-grpc~echo-grpc.svc.cluster.local',
      metadata: { LABELS: { app: 'echo', version: 'v1' }, SHOAL_PORT: 17070 },
    });
    assert.deepEqual(errors, []);
    assert.equal(registration?.hostname, 'echo.echo-grpc.svc.cluster.local');
    assert.equal(registration?.address, '10.1.2.3');
    assert.deepEqual(registration?.interfaces, []);
  });

  it('treats a node that announces nothing as a plain client', () => {
    assert.deepEqual(parseNodeRegistration({ id: 'client', metadata: { LABELS: { app: 'x' } } }), {
      errors: [],
    });
    assert.deepEqual(parseNodeRegistration({ id: 'client' }), { errors: [] });
  });

  it('reports every problem, naming the key', () => {
    const { registration, errors } = parseNodeRegistration({
      id: '',
      metadata: {
        SHOAL_SERVICES: ['ok.Service', 'not an interface', 7],
        SHOAL_PORT: 70000,
        SHOAL_LABELS: '{broken',
        NAMESPACE: 'Bad_NS',
        INSTANCE_IPS: 'nope',
        SHOAL_WEIGHT: 0,
      },
    });
    assert.equal(registration, undefined);
    assert.deepEqual(errors, [
      'node id: Required value: a registering node needs an id',
      'node metadata NAMESPACE: Invalid value: "Bad_NS": must be a namespace name (a DNS-1123 label)',
      'node metadata SHOAL_LABELS: Invalid value: "{broken": must be an object of strings, or that object as JSON',
      'node metadata SHOAL_APP: Required value: the application (host) name',
      'node metadata SHOAL_PORT: Invalid value: 70000: must be a port number 1..65535',
      'node metadata SHOAL_SERVICES: Invalid value: "not an interface": must be an interface name such as "greet.v1.GreeterService"',
      'node metadata SHOAL_SERVICES: Invalid value: 7: must be an interface name such as "greet.v1.GreeterService"',
      'node metadata SHOAL_WEIGHT: Invalid value: 0: must be a positive integer',
      'node metadata INSTANCE_IPS: Invalid value: "nope": must be a comma-separated list of IP addresses',
    ]);
  });

  it('requires an address when none is announced or known', () => {
    const { errors } = parseNodeRegistration({ id: 'x', metadata: { SHOAL_APP: 'a', SHOAL_PORT: 1 } });
    assert.deepEqual(errors, [
      'node metadata INSTANCE_IPS: Required value: no instance IP announced and no peer address known',
    ]);
  });

  it('rejects bad labels and app names', () => {
    const { errors } = parseNodeRegistration(
      {
        id: 'x',
        metadata: { SHOAL_APP: 'Bad App', SHOAL_PORT: 1, SHOAL_LABELS: { version: 2, 'bad key!': 'v' } },
      },
      { peerAddress: '::1' },
    );
    assert.deepEqual(errors, [
      'node metadata SHOAL_LABELS.version: Invalid value: 2: label values must be strings',
      'node metadata SHOAL_LABELS.bad key!: Invalid value: "bad key!": invalid label key',
      'node metadata SHOAL_APP: Invalid value: "Bad App": must be a DNS name such as "greeter" or "greeter.example.com"',
    ]);
  });
});
