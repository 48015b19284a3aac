// The harness bins as processes, with gRPC's flags: a server and a client on direct host:port.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { createClient } from '@shoal/rpc';
import { LoadBalancerStatsService } from '../gen/grpc/testing/test_pb.js';
import { type HarnessProcess, runHarnessProcess, startHarnessProcess } from './harness-process.js';

describe('shoal-xds-interop-server and -client as processes', () => {
  const processes: HarnessProcess[] = [];
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
  });

  it('the client counts calls to the server it was given', async () => {
    const server = await startHarnessProcess('server', [
      '--port=0',
      '--maintenance_port=0',
      '--server_id=proc-a',
      '--host=127.0.0.1',
    ]);
    processes.push(server);
    const client = await startHarnessProcess('client', [
      `--server=127.0.0.1:${server.info.port}`,
      '--stats_port=0',
      '--stats_host=127.0.0.1',
      '--qps=40',
      '--rpc=EmptyCall,UnaryCall',
      '--metadata=EmptyCall:x-test:1',
    ]);
    processes.push(client);
    const stats = createClient(LoadBalancerStatsService, `127.0.0.1:${client.info.stats_port}`);
    const response = await stats.getClientStats({ numRpcs: 20, timeoutSec: 10 });
    assert.deepEqual(response.rpcsByPeer, { 'proc-a': 20 });
    assert.deepEqual(response.rpcsByMethod.EmptyCall?.rpcsByPeer, { 'proc-a': 10 });
    assert.deepEqual(response.rpcsByMethod.UnaryCall?.rpcsByPeer, { 'proc-a': 10 });
    assert.equal(await client.stop(), 0);
    assert.equal(await server.stop(), 0);
  });

  it('--fail_on_failed_rpc exits 1 once a call fails after one succeeded', async () => {
    const server = await startHarnessProcess('server', [
      '--port=0',
      '--maintenance_port=0',
      '--server_id=proc-b',
      '--host=127.0.0.1',
    ]);
    processes.push(server);
    const run = await runHarnessProcess('client', [
      `--server=127.0.0.1:${server.info.port}`,
      '--stats_port=0',
      '--stats_host=127.0.0.1',
      '--qps=20',
      '--rpc=EmptyCall,UnaryCall',
      '--metadata=UnaryCall:rpc-behavior:error-code-2',
      '--fail_on_failed_rpc',
    ]);
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /UnaryCall failed after earlier successes: \[UNKNOWN\]/);
  });

  it('exit 2 with a clear message for bad flags', async () => {
    const bad = await runHarnessProcess('client', ['--qps=0']);
    assert.equal(bad.code, 2);
    assert.match(bad.output, /--qps=0: must be ≥ 1/);
    const rpc = await runHarnessProcess('client', ['--rpc=FullDuplexCall']);
    assert.equal(rpc.code, 2);
    assert.match(rpc.output, /--rpc: unknown RPC type "FullDuplexCall"/);
    const register = await runHarnessProcess('server', ['--register_app=x', '--xds_server_mode=false']);
    assert.equal(register.code, 2);
    assert.match(register.output, /--register_app needs xDS server mode/);
    const labels = await runHarnessProcess(
      'server',
      ['--register_app=x', '--xds_server_mode', '--labels=version'],
      {
        GRPC_XDS_BOOTSTRAP_CONFIG: '{"xds_servers":[{"server_uri":"127.0.0.1:1"}],"node":{"id":"n"}}',
      },
    );
    assert.equal(labels.code, 2);
    assert.match(labels.output, /--labels\[0\] "version": expected key=value/);
    const xds = await runHarnessProcess('client', ['--server=xds:///backend:8080'], {
      GRPC_XDS_BOOTSTRAP: '/nonexistent/bootstrap.json',
    });
    assert.equal(xds.code, 2);
    assert.match(
      xds.output,
      /xds:\/\/\/backend:8080 needs an xDS bootstrap: .*\/nonexistent\/bootstrap.json/,
    );
  });

  it('exit 1 with the reason when a port is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const run = await runHarnessProcess('server', [
        `--port=${port}`,
        '--maintenance_port=0',
        '--host=127.0.0.1',
      ]);
      assert.equal(run.code, 1);
      assert.match(run.output, /cannot start: .*EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});
