import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigValidator } from '../config/config-validator.js';
import { loadConfigText } from '../config/load-config.js';
import { protocolOf, servicesFromConfig } from './config-services.js';

const validator = new ConfigValidator();
const objects = (yaml: string) => {
  const loaded = loadConfigText(yaml, { validator });
  assert.deepEqual(loaded.errors, []);
  return loaded.objects;
};

describe('servicesFromConfig', () => {
  it('gives DNS ServiceEntries without endpoints their own host as the endpoint, and NONE none', () => {
    const view = servicesFromConfig(
      objects(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: dns}
spec: {hosts: [db.example.com], ports: [{number: 5432, name: tcp-pg, protocol: TCP}], resolution: DNS}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: none}
spec: {hosts: ["*.googleapis.com"], ports: [{number: 443, name: https, protocol: HTTPS}], resolution: NONE}
`),
    );
    assert.deepEqual(
      view.services.map((s) => [s.hostname, s.resolution]),
      [
        ['db.example.com', 'DNS'],
        ['*.googleapis.com', 'NONE'],
      ],
    );
    assert.deepEqual(
      view.endpoints.map((e) => [e.hostname, e.address, e.port, e.origin]),
      [['db.example.com', 'db.example.com', 5432, 'ServiceEntry/default/dns']],
    );
  });

  it('skips network-only WorkloadEntries and ones in other namespaces; one service per host', () => {
    const view = servicesFromConfig(
      objects(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: a, namespace: ns1}
spec: {hosts: [a.internal], ports: [{number: 80, name: http}], resolution: STATIC, workloadSelector: {labels: {app: a}}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: remote, namespace: ns1}
spec: {network: far, labels: {app: a}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: near, namespace: ns1}
spec: {address: 10.0.0.9, labels: {app: a}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: stray, namespace: ns2}
spec: {address: 10.0.0.10, labels: {app: a}}
`),
    );
    assert.deepEqual(
      view.endpoints.map((e) => e.origin),
      ['WorkloadEntry/ns1/near'],
    );
    // `stray` is not selected, has an app label but no ports: it defines no service.
    assert.deepEqual(
      view.services.map((s) => s.hostname),
      ['a.internal'],
    );
  });

  it('derives protocols from port names like Istio', () => {
    assert.equal(protocolOf('grpc'), 'GRPC');
    assert.equal(protocolOf('grpc-web'), 'GRPC-WEB');
    assert.equal(protocolOf('http2-api'), 'HTTP2');
    assert.equal(protocolOf('tcp'), 'TCP');
    assert.equal(protocolOf('grpcx'), undefined);
    assert.equal(protocolOf(undefined), undefined);
  });
});
