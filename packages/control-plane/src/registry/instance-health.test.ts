import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, RpcError } from '@shoal/rpc';
import { InstanceHealth, parseInstanceAddress } from './instance-health.js';
import { InMemoryRegistry } from './memory-registry.js';
import type { RegisteredInstance, RegistryEvent } from './registry-types.js';

const reg = (nodeId: string, address: string, port: number): RegisteredInstance => ({
  nodeId,
  app: 'greeter',
  namespace: 'default',
  hostname: 'greeter.default.svc.cluster.local',
  address,
  port,
  interfaces: [],
  labels: {},
  weight: 1,
});

const rejects = (fn: () => unknown, code: Code, message: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof RpcError && e.code === code && message.test(e.rawMessage));

describe('InstanceHealth: instances taken out of service by hand', () => {
  const setUp = async () => {
    const backend = new InMemoryRegistry({ graceMs: 0 });
    await backend.register(reg('a', '10.0.0.1', 50051));
    await backend.register(reg('b', '10.0.0.2', 50051));
    await backend.register(reg('c', 'fd00::3', 50051));
    const health = new InstanceHealth(backend);
    const events: RegistryEvent[] = [];
    health.subscribe((e) => events.push(e));
    const healthOf = () =>
      Object.fromEntries(health.endpoints().map((e) => [`${e.address}:${e.port}`, e.health]));
    return { backend, health, events, healthOf };
  };

  it('sends a disabled address as UNHEALTHY until enabled, with a change event each time', async () => {
    const { backend, health, events, healthOf } = await setUp();
    const before = health.version;
    const record = health.disable('10.0.0.1:50051', { reason: 'bad disk' });
    assert.equal(record.address, '10.0.0.1:50051');
    assert.equal(record.reason, 'bad disk');
    assert.equal(record.until, undefined);
    assert.deepEqual(healthOf(), {
      '10.0.0.1:50051': 'UNHEALTHY',
      '10.0.0.2:50051': 'HEALTHY',
      'fd00::3:50051': 'HEALTHY',
    });
    assert.ok(health.version > before);
    assert.deepEqual(events.at(-1), {
      version: health.version,
      reason: 'health',
      hostnames: ['greeter.default.svc.cluster.local'],
    });
    assert.deepEqual(
      health.disabled().map((d) => d.address),
      ['10.0.0.1:50051'],
    );
    // A change of the backend keeps the disable, and its version still grows.
    const v = health.version;
    await backend.register(reg('d', '10.0.0.4', 50051));
    assert.ok(health.version > v);
    assert.equal(healthOf()['10.0.0.1:50051'], 'UNHEALTHY');
    health.enable('10.0.0.1:50051');
    assert.equal(healthOf()['10.0.0.1:50051'], 'HEALTHY');
    assert.deepEqual(health.disabled(), []);
    await health.close();
    await backend.close();
  });

  it('expires a disable with a duration on its own; an IP alone covers every port; IPv6 in brackets', async () => {
    const { backend, health, events, healthOf } = await setUp();
    const record = health.disable('[fd00::3]:50051', { forMs: 50 });
    assert.ok(record.until && record.since && Date.parse(record.until) - Date.parse(record.since) === 50);
    health.disable('10.0.0.2');
    assert.deepEqual(healthOf(), {
      '10.0.0.1:50051': 'HEALTHY',
      '10.0.0.2:50051': 'UNHEALTHY',
      'fd00::3:50051': 'UNHEALTHY',
    });
    const seen = events.length;
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(healthOf()['fd00::3:50051'], 'HEALTHY', 'back on its own');
    assert.equal(events.length, seen + 1);
    assert.equal(healthOf()['10.0.0.2:50051'], 'UNHEALTHY');
    await health.close();
    await backend.close();
  });

  it('rejects what is not an instance address, an address no instance has, and enabling what is not disabled', async () => {
    const { backend, health } = await setUp();
    rejects(() => health.disable('greeter'), Code.INVALID_ARGUMENT, /"greeter" is not an instance address/);
    rejects(() => health.disable('10.0.0.1:99999'), Code.INVALID_ARGUMENT, /not an instance address/);
    rejects(() => health.disable('10.9.9.9:50051'), Code.NOT_FOUND, /no instance at 10\.9\.9\.9:50051/);
    rejects(() => health.enable('10.0.0.1:50051'), Code.NOT_FOUND, /10\.0\.0\.1:50051 is not disabled/);
    assert.deepEqual(parseInstanceAddress('::1'), { ip: '::1', port: undefined });
    await health.close();
    await backend.close();
  });
});
