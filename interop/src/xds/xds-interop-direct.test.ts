// Self-test of the xDS interop harness with direct host:port targets (no control plane): the
// client's stats and configure services, the server's rpc-behavior, health and reflection.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Code, createClient, Health, HealthCheckResponse_ServingStatus as Serving } from '@shoal/rpc';
import { freePort } from '@shoal/testing';
import { ClientConfigureRequest_RpcType as RpcType } from '../gen/grpc/testing/messages_pb.js';
import {
  LoadBalancerStatsService,
  TestService,
  XdsUpdateClientConfigureService,
  XdsUpdateHealthService,
} from '../gen/grpc/testing/test_pb.js';
import { XdsInteropClient } from './xds-interop-client.js';
import { XdsInteropServer } from './xds-interop-server.js';

describe('xds interop harness, direct host:port', () => {
  const server = new XdsInteropServer({ port: 0, maintenancePort: 0, serverId: 'backend-a' });
  let client: XdsInteropClient;
  let stats: ReturnType<typeof createClient<typeof LoadBalancerStatsService>>;
  let configure: ReturnType<typeof createClient<typeof XdsUpdateClientConfigureService>>;
  let ports: { port: number; maintenancePort: number };

  before(async () => {
    ports = await server.start();
    client = new XdsInteropClient({
      server: `127.0.0.1:${ports.port}`,
      statsPort: 0,
      qps: 50,
      numChannels: 2,
      config: { types: ['UnaryCall'], metadata: new Map(), timeoutSec: 5 },
      defaultTimeoutSec: 5,
    });
    const { statsPort } = await client.start();
    stats = createClient(LoadBalancerStatsService, `127.0.0.1:${statsPort}`);
    configure = createClient(XdsUpdateClientConfigureService, `127.0.0.1:${statsPort}`);
  });

  after(async () => {
    await client?.close();
    await server.close();
  });

  it('GetClientStats waits for the next num_rpcs calls, sent at a steady qps', async () => {
    const start = performance.now();
    const response = await stats.getClientStats({ numRpcs: 20, timeoutSec: 10 });
    const elapsed = performance.now() - start;
    assert.deepEqual(response.rpcsByPeer, { 'backend-a': 20 });
    assert.equal(response.numFailures, 0);
    assert.deepEqual(response.rpcsByMethod.UnaryCall?.rpcsByPeer, { 'backend-a': 20 });
    // 20 calls at 50 qps span 19 intervals of 20 ms: not a burst, and not far behind.
    assert.ok(elapsed > 300 && elapsed < 2000, `20 calls took ${elapsed.toFixed(0)} ms`);
  });

  it('Configure changes the RPC types and metadata; rpc-behavior fails the asked calls', async () => {
    await configure.configure({
      types: [RpcType.EMPTY_CALL, RpcType.UNARY_CALL],
      metadata: [{ type: RpcType.UNARY_CALL, key: 'rpc-behavior', value: 'error-code-7' }],
    });
    const response = await stats.getClientStats({ numRpcs: 10, timeoutSec: 10, metadataKeys: ['hostname'] });
    assert.deepEqual(response.rpcsByMethod.EmptyCall?.rpcsByPeer, { 'backend-a': 5 });
    assert.equal(response.rpcsByMethod.UnaryCall, undefined);
    assert.equal(response.numFailures, 5);
    const metadata = response.metadatasByPeer['backend-a']?.rpcMetadata ?? [];
    assert.equal(metadata.length, 5);
    assert.deepEqual(
      metadata[0]?.metadata.map((m) => [m.key, m.value]),
      [['hostname', 'backend-a']],
    );
    const accumulated = await stats.getClientAccumulatedStats({});
    const unary = accumulated.statsPerMethod.UNARY_CALL;
    const empty = accumulated.statsPerMethod.EMPTY_CALL;
    assert.ok((unary?.result[Code.PERMISSION_DENIED] ?? 0) >= 5, JSON.stringify(unary));
    assert.ok((unary?.result[Code.OK] ?? 0) >= 20);
    assert.ok((empty?.result[Code.OK] ?? 0) >= 5);
    assert.ok(
      (unary?.rpcsStarted ?? 0) >=
        (unary?.result[Code.OK] ?? 0) + (unary?.result[Code.PERMISSION_DENIED] ?? 0),
    );
    assert.equal(accumulated.numRpcsFailedByMethod.UNARY_CALL, unary?.result[Code.PERMISSION_DENIED]);
  });

  it('Configure timeout_sec bounds the calls that rpc-behavior sleeps', async () => {
    await configure.configure({
      types: [RpcType.UNARY_CALL],
      metadata: [{ type: RpcType.UNARY_CALL, key: 'rpc-behavior', value: 'sleep-3' }],
      timeoutSec: 1,
    });
    const response = await stats.getClientStats({ numRpcs: 5, timeoutSec: 10 });
    assert.equal(response.numFailures, 5);
    const accumulated = await stats.getClientAccumulatedStats({});
    assert.ok((accumulated.statsPerMethod.UNARY_CALL?.result[Code.DEADLINE_EXCEEDED] ?? 0) >= 5);
    await configure.configure({ types: [RpcType.UNARY_CALL] });
    assert.equal(client.currentConfig.timeoutSec, 5);
    assert.equal((await stats.getClientStats({ numRpcs: 5, timeoutSec: 10 })).numFailures, 0);
  });

  it('Configure rejects an unknown RPC type with INVALID_ARGUMENT and keeps the config', async () => {
    await assert.rejects(configure.configure({ types: [9 as RpcType] }), {
      code: Code.INVALID_ARGUMENT,
      message: /types\[0\]: unknown RpcType 9/,
    });
    assert.deepEqual(client.currentConfig.types, ['UnaryCall']);
  });

  it('rpc-behavior hostname= applies on the named server only', async () => {
    const test = createClient(TestService, `127.0.0.1:${ports.port}`);
    const other = { headers: { 'rpc-behavior': 'hostname=backend-b error-code-5' } };
    assert.equal((await test.unaryCall({}, other)).serverId, 'backend-a');
    await assert.rejects(
      test.unaryCall({}, { headers: { 'rpc-behavior': 'hostname=backend-a error-code-5' } }),
      {
        code: Code.NOT_FOUND,
      },
    );
    await assert.rejects(test.emptyCall({}, { headers: { 'rpc-behavior': 'bogus' } }), {
      code: Code.INVALID_ARGUMENT,
    });
  });

  it('the maintenance port serves health and XdsUpdateHealthService; the test port does not', async () => {
    const maintenance = `127.0.0.1:${ports.maintenancePort}`;
    const health = createClient(Health, maintenance);
    const update = createClient(XdsUpdateHealthService, maintenance);
    assert.equal((await health.check({ service: '' })).status, Serving.SERVING);
    await update.setNotServing({});
    assert.equal((await health.check({ service: '' })).status, Serving.NOT_SERVING);
    await update.setServing({});
    assert.equal((await health.check({ service: '' })).status, Serving.SERVING);
    await assert.rejects(createClient(Health, `127.0.0.1:${ports.port}`).check({ service: '' }), {
      code: Code.UNIMPLEMENTED,
    });
  });
});

describe('xds interop server on one port', () => {
  it('serves TestService and maintenance services together when port = maintenance_port', async () => {
    const port = await freePort();
    const server = new XdsInteropServer({
      port,
      maintenancePort: port,
      serverId: 'solo',
      hostname: 'solo-host',
    });
    try {
      assert.deepEqual(await server.start(), { port, maintenancePort: port });
      const response = await createClient(TestService, `127.0.0.1:${port}`).unaryCall({ responseSize: 10 });
      assert.equal(response.hostname, 'solo-host');
      assert.equal(response.serverId, 'solo');
      assert.equal(response.payload?.body.length, 10);
      assert.equal((await createClient(Health, `127.0.0.1:${port}`).check({})).status, Serving.SERVING);
    } finally {
      await server.close();
    }
  });
});
