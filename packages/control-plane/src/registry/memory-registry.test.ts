import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registration as reg } from '../../test/registration-fixture.js';
import { until } from '../../test/until.js';
import { ConfigValidator } from '../config/config-validator.js';
import { MemoryConfigStore } from '../config/memory-config-store.js';
import { InMemoryRegistry } from './memory-registry.js';
import type { RegistryEvent } from './registry-types.js';

const validator = new ConfigValidator();

describe('InMemoryRegistry from config', () => {
  it('builds services and endpoints from ServiceEntry endpoints and selected WorkloadEntries', async () => {
    const store = new MemoryConfigStore({ validator });
    await store.apply(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: shop, annotations: {shoal.io/interfaces: "reviews.v1.Reviews"}}
spec:
  hosts: [reviews.shop.svc.cluster.local]
  ports: [{number: 9080, name: grpc, protocol: GRPC, targetPort: 9081}]
  resolution: STATIC
  workloadSelector: {labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v1, namespace: shop}
spec: {address: 10.0.0.1, labels: {app: reviews, version: v1}, locality: us/us-1/a, weight: 3}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v2, namespace: shop}
spec: {address: 10.0.0.2, labels: {app: reviews, version: v2}, ports: {grpc: 7000}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: other-ns, namespace: elsewhere}
spec: {address: 10.0.0.3, labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: https, protocol: HTTPS}]
  resolution: STATIC
  endpoints: [{address: 192.0.2.1, labels: {dc: a}}, {address: 192.0.2.2, ports: {https: 8443}}]
`);
    const registry = new InMemoryRegistry({ store });
    try {
      assert.deepEqual(
        registry.services().map((s) => [s.hostname, s.source, s.ports.map((p) => p.number)]),
        [
          ['api.example.com', 'ServiceEntry', [443]],
          ['reviews.shop.svc.cluster.local', 'ServiceEntry', [9080]],
        ],
      );
      const eps = registry.endpoints('reviews.shop.svc.cluster.local', 9080);
      assert.deepEqual(
        eps.map((e) => [e.address, e.port, e.labels.version, e.locality, e.weight, e.origin]),
        [
          ['10.0.0.1', 9081, 'v1', 'us/us-1/a', 3, 'WorkloadEntry/shop/reviews-v1'],
          ['10.0.0.2', 7000, 'v2', undefined, 1, 'WorkloadEntry/shop/reviews-v2'],
        ],
      );
      assert.deepEqual(
        registry.endpoints('api.example.com').map((e) => `${e.address}:${e.port}`),
        ['192.0.2.1:443', '192.0.2.2:8443'],
      );
      assert.deepEqual(registry.resolveInterface('reviews.v1.Reviews'), [
        {
          interface: 'reviews.v1.Reviews',
          hostname: 'reviews.shop.svc.cluster.local',
          namespace: 'shop',
          port: 9080,
        },
      ]);

      // Config changes flow in through the store subscription.
      const events: RegistryEvent[] = [];
      registry.subscribe((e) => events.push(e));
      await store.delete('WorkloadEntry', 'shop', 'reviews-v2');
      assert.equal(registry.endpoints('reviews.shop.svc.cluster.local').length, 1);
      assert.deepEqual(
        events.map((e) => e.reason),
        ['config'],
      );
    } finally {
      await registry.close();
    }
    // After close, store changes no longer reach it.
    const v = registry.version;
    await store.delete('ServiceEntry', 'default', 'ext');
    assert.equal(registry.version, v);
  });

  it('uses Kubernetes Services (selector → WorkloadEntries) and app-labelled WorkloadEntries alone', async () => {
    const registry = new InMemoryRegistry();
    const store = new MemoryConfigStore({ validator });
    await store.apply(`apiVersion: v1
kind: Service
metadata: {name: ratings}
spec: {selector: {app: ratings}, ports: [{name: grpc-api, port: 9080, targetPort: 50051}]}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ratings-1}
spec: {address: 10.1.0.1, labels: {app: ratings, version: v1}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: greeter-1, annotations: {shoal.io/interfaces: "greet.v1.GreeterService"}}
spec: {address: 10.2.0.1, labels: {app: greeter, version: v1}, ports: {grpc: 50051}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: greeter-2}
spec: {address: 10.2.0.2, labels: {app: greeter, version: v2}, ports: {grpc: 50052}}
`);
    registry.syncConfig(store.list());
    const ratings = registry.service('ratings.default.svc.cluster.local');
    assert.deepEqual(ratings?.ports, [
      { name: 'grpc-api', number: 9080, protocol: 'GRPC', targetPort: 50051 },
    ]);
    assert.deepEqual(
      registry.endpoints('ratings.default.svc.cluster.local').map((e) => `${e.address}:${e.port}`),
      ['10.1.0.1:50051'],
    );
    const greeter = registry.service('greeter.default.svc.cluster.local');
    assert.equal(greeter?.source, 'WorkloadEntry');
    assert.deepEqual(
      registry
        .endpoints('greeter.default.svc.cluster.local', 50051)
        .map((e) => [e.address, e.port, e.labels.version]),
      [
        ['10.2.0.1', 50051, 'v1'],
        ['10.2.0.2', 50052, 'v2'],
      ],
    );
    assert.deepEqual(registry.interfaces(), ['greet.v1.GreeterService']);
  });
});

describe('InMemoryRegistry self-registration', () => {
  it('registers an instance, serves interface discovery, and removes it after the grace period', async () => {
    const registry = new InMemoryRegistry({ graceMs: 30 });
    try {
      const events: RegistryEvent[] = [];
      registry.subscribe((e) => events.push(e));
      const lease = await registry.register(reg());
      await registry.register(
        reg({ nodeId: 'n2', address: '127.0.0.2', labels: { version: 'v2' }, locality: 'us/a' }),
      );
      const svc = registry.service('greeter.default.svc.cluster.local');
      assert.deepEqual(svc?.ports, [{ name: 'grpc', number: 50051, protocol: 'GRPC' }]);
      assert.deepEqual(svc?.interfaces, ['greet.v1.GreeterService']);
      assert.deepEqual(registry.resolveInterface('greet.v1.GreeterService'), [
        {
          interface: 'greet.v1.GreeterService',
          hostname: 'greeter.default.svc.cluster.local',
          namespace: 'default',
          port: 50051,
        },
      ]);
      assert.deepEqual(
        registry
          .endpoints('greeter.default.svc.cluster.local')
          .map((e) => [e.origin, e.labels.version, e.locality]),
        [
          ['node:n1', 'v1', undefined],
          ['node:n2', 'v2', 'us/a'],
        ],
      );
      lease.end();
      assert.equal(registry.endpoints().length, 2, 'still there during the grace period');
      await until('removal', () => registry.endpoints().length === 1);
      assert.deepEqual(registry.resolveInterface('greet.v1.GreeterService').length, 1);
      assert.deepEqual(
        events.map((e) => [e.reason, e.nodeId, e.hostnames]),
        [
          ['registered', 'n1', ['greeter.default.svc.cluster.local']],
          ['registered', 'n2', ['greeter.default.svc.cluster.local']],
          ['expired', 'n1', ['greeter.default.svc.cluster.local']],
        ],
      );
      assert.ok(events.every((e, i) => i === 0 || e.version > events[i - 1]!.version));
    } finally {
      await registry.close();
    }
  });

  it('keeps an instance that re-registers within the grace period; the old lease can no longer remove it', async () => {
    const registry = new InMemoryRegistry({ graceMs: 20 });
    try {
      const first = await registry.register(reg());
      first.end();
      const events: RegistryEvent[] = [];
      registry.subscribe((e) => events.push(e));
      const second = await registry.register(
        reg({ port: 50052, app: 'hello', hostname: 'hello.default.svc.cluster.local' }),
      );
      assert.deepEqual(events[0]?.hostnames, [
        'greeter.default.svc.cluster.local',
        'hello.default.svc.cluster.local',
      ]);
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(registry.endpoints().length, 1);
      assert.equal(registry.endpoints()[0]?.port, 50052);
      first.remove();
      assert.equal(registry.endpoints().length, 1, 'a superseded lease is inert');
      second.remove();
      assert.equal(registry.endpoints().length, 0);
      assert.deepEqual(registry.services(), []);
    } finally {
      await registry.close();
    }
  });

  it('sends a draining instance as DRAINING; its new registration replaces the serving one at once', async () => {
    const registry = new InMemoryRegistry({ graceMs: 20 });
    try {
      const serving = await registry.register(reg());
      assert.equal(registry.endpoints()[0]?.health, 'HEALTHY');
      const draining = await registry.register(reg({ draining: true }));
      serving.end(); // the old stream closing does not remove the draining registration
      assert.deepEqual(
        registry.endpoints().map((e) => e.health),
        ['DRAINING'],
      );
      draining.end();
      await until('the draining instance leaves', () => registry.endpoints().length === 0);
    } finally {
      await registry.close();
    }
  });

  it('adds registered instances to a service that config defines, on the matching port', async () => {
    const registry = new InMemoryRegistry();
    const store = new MemoryConfigStore({ validator });
    await store.apply(`apiVersion: v1
kind: Service
metadata: {name: greeter}
spec: {ports: [{name: grpc, port: 80, targetPort: 50051}]}
`);
    registry.syncConfig(store.list());
    await registry.register(reg());
    await registry.register(reg({ nodeId: 'n3', port: 6000 }));
    const svc = registry.service('greeter.default.svc.cluster.local');
    assert.equal(svc?.source, 'Service');
    assert.deepEqual(
      svc?.ports.map((p) => [p.name, p.number]),
      [
        ['grpc', 80],
        ['grpc-6000', 6000],
      ],
    );
    assert.deepEqual(
      registry.endpoints('greeter.default.svc.cluster.local', 80).map((e) => `${e.address}:${e.port}`),
      ['127.0.0.1:50051'],
    );
    await registry.close();
    await assert.rejects(registry.register(reg()), /registry is closed/);
  });

  it('clears grace timers on close, and survives a throwing listener', async () => {
    const failures: unknown[] = [];
    const registry = new InMemoryRegistry({ graceMs: 10, onListenerError: (e) => failures.push(e) });
    registry.subscribe(() => {
      throw new Error('boom');
    });
    const lease = await registry.register(reg());
    assert.equal(failures.length, 1);
    lease.end();
    await registry.close();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(registry.endpoints().length, 1, 'no removal after close');
  });
});
