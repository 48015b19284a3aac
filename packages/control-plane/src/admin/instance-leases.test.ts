import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryRegistry } from '../registry/memory-registry.js';
import type { ClientStatus } from '../xds-server/client-status.js';
import { endpointsWithLeases } from './instance-leases.js';

const HOST = 'greeter.default.svc.cluster.local';

function client(nodeId: string, connectedSince: string, ackedAt: string): ClientStatus {
  return {
    streamId: 1,
    nodeId,
    protocol: 'sotw',
    proxyType: 'proxyless',
    peer: '127.0.0.11:40000',
    connectedSince,
    namespace: 'default',
    locality: '',
    userAgent: 'shoal',
    client: { implementation: 'shoal', version: '0.1.0', description: 'Shoal 0.1.0' },
    transport: { security: 'plaintext' },
    types: {
      LDS: {
        typeUrl: 'type.googleapis.com/envoy.config.listener.v3.Listener',
        wildcard: false,
        subscribed: [],
        sentNames: [],
        ackedAt,
        staleRequests: 0,
        state: 'SYNCED',
      },
    },
  };
}

describe('endpointsWithLeases', () => {
  it('gives a registered instance its lease: when it registered, last heard, live, then ended with its expiry', async () => {
    const registry = new InMemoryRegistry({ graceMs: 5000 });
    const before = Date.now();
    const lease = await registry.register({
      nodeId: 'p1',
      app: 'greeter',
      namespace: 'default',
      hostname: HOST,
      address: '127.0.0.11',
      port: 50051,
      interfaces: [],
      labels: { version: 'v1' },
      weight: 1,
    });
    const heard = new Date(Date.now() + 1000).toISOString();
    const [live] = endpointsWithLeases(registry, [client('p1', new Date(before).toISOString(), heard)]);
    assert.equal(live?.origin, 'node:p1');
    assert.equal(live?.lease?.state, 'live');
    assert.equal(live?.lease?.lastHeardAt, heard);
    const registeredAt = Date.parse(live!.lease!.registeredAt);
    assert.ok(registeredAt >= before && registeredAt <= Date.now());

    lease.end();
    const [ended] = endpointsWithLeases(registry, [], HOST);
    assert.equal(ended?.lease?.state, 'ended');
    assert.equal(ended?.lease?.lastHeardAt, undefined);
    const left = Date.parse(ended!.lease!.expiresAt!) - Date.now();
    assert.ok(left > 4000 && left <= 5000, `${left} ms left of the grace period`);
    await registry.close();
  });

  it('leaves endpoints from config without a lease', () => {
    const registry = new InMemoryRegistry();
    registry.syncConfig([
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: { name: 'ext', namespace: 'default' },
        spec: {
          hosts: ['ext.example.com'],
          ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
          resolution: 'STATIC',
          endpoints: [{ address: '10.0.0.1' }],
        },
      },
    ]);
    const [e] = endpointsWithLeases(registry, []);
    assert.equal(e?.address, '10.0.0.1');
    assert.equal(e?.lease, undefined);
  });
});
