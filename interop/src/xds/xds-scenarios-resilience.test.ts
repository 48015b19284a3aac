// gRPC's proxyless xDS interop scenarios (psm-interop's test names) for failover, membership
// changes and resilience, run against Shoal's control plane with Istio config: interop servers as
// processes registered through WorkloadEntries, Shoal's interop client through the mesh transport.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Code } from '@shoal/rpc';
import { ClientConfigureRequest_RpcType as RpcType } from '../gen/grpc/testing/messages_pb.js';
import { startHarnessProcess } from './harness-process.js';
import {
  bootstrapJson,
  csdsResources,
  eventually,
  failedCalls,
  inFlight,
  NAMESPACE,
  resultCount,
  ScenarioEnv,
  serviceYaml,
  startBackends,
  statsWhen,
  subsetsRule,
  virtualService,
  workloadEntryYaml,
} from './scenario-harness.js';

/** A port free on every one of the given addresses. */
async function freePortOn(hosts: readonly string[]): Promise<number> {
  const listen = (server: net.Server, port: number, host: string) =>
    new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, host, () => resolve(true));
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    const probes = hosts.map(() => net.createServer());
    try {
      let port = 0;
      let ok = true;
      for (const [i, host] of hosts.entries()) {
        const probe = probes[i] as net.Server;
        ok &&= await listen(probe, port, host);
        if (i === 0 && ok) port = (probe.address() as net.AddressInfo).port;
      }
      if (ok) return port;
    } finally {
      await Promise.all(probes.map((p) => new Promise((r) => (p.listening ? p.close(r) : r(undefined)))));
    }
  }
  throw new Error(`no port free on all of ${hosts.join(', ')}`);
}

describe('xDS interop scenarios (failover and resilience): Shoal client, Shoal control plane', () => {
  const env = new ScenarioEnv();
  before(() => env.start(['a1', 'a2', 'a3', 'b1']));
  after(() => env.stop());

  it('gentle_failover: same-zone backends first; the other zone serves when the zone empties, then traffic returns', async () => {
    const local = { backend: env.backend('a3') };
    await env.apply(serviceYaml('fo', 8080, [local, { backend: env.backend('b1'), locality: 'r1/z2' }]));
    const c = await env.client('xds:///fo:8080');
    await statsWhen(c.stats, 50, (s) => s.numFailures === 0 && s.rpcsByPeer.a3 === 50);
    const failedBefore = await failedCalls(c.stats);
    await env.cp.store.delete('WorkloadEntry', 'default', 'fo-a3');
    await statsWhen(c.stats, 50, (s) => s.numFailures === 0 && s.rpcsByPeer.b1 === 50);
    await env.apply(workloadEntryYaml('fo', local));
    await statsWhen(c.stats, 50, (s) => s.numFailures === 0 && s.rpcsByPeer.a3 === 50);
    assert.equal(await failedCalls(c.stats), failedBefore, 'calls failed during failover');
  });

  it('gentle_failover by outlier ejection: failing same-zone backends are ejected, the other zone serves, then they return', async () => {
    await env.apply(
      [
        serviceYaml('od', 8080, [
          { backend: env.backend('a1') },
          { backend: env.backend('a2') },
          { backend: env.backend('b1'), locality: 'r1/z2' },
        ]),
        subsetsRule(
          'od',
          ['v1'],
          '    outlierDetection: { consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 2s, maxEjectionPercent: 100 }',
        ),
      ].join('\n---\n'),
    );
    const c = await env.client('xds:///od:8080');
    await statsWhen(
      c.stats,
      40,
      (s) => s.numFailures === 0 && s.rpcsByPeer.a1 === 20 && s.rpcsByPeer.a2 === 20,
    );
    // Both same-zone backends start failing with UNAVAILABLE (a gateway error, as Envoy counts them).
    await c.configure.configure({
      types: [RpcType.UNARY_CALL],
      metadata: [
        { type: RpcType.UNARY_CALL, key: 'rpc-behavior', value: 'hostname=a1 error-code-14' },
        { type: RpcType.UNARY_CALL, key: 'rpc-behavior', value: 'hostname=a2 error-code-14' },
      ],
    });
    await statsWhen(c.stats, 50, (s) => s.numFailures === 0 && s.rpcsByPeer.b1 === 50);
    // They recover; once the ejection time has passed, traffic comes back to the client's zone.
    await c.configure.configure({ types: [RpcType.UNARY_CALL] });
    await statsWhen(
      c.stats,
      40,
      (s) => s.numFailures === 0 && (s.rpcsByPeer.a1 ?? 0) + (s.rpcsByPeer.a2 ?? 0) === 40,
    );
  });

  it('remove_instance_group: removing a backend moves its traffic to the rest without a failed call', async () => {
    await env.apply(
      serviceYaml('rig', 8080, [{ backend: env.backend('a1') }, { backend: env.backend('a2') }]),
    );
    const c = await env.client('xds:///rig:8080');
    await statsWhen(
      c.stats,
      40,
      (s) => s.numFailures === 0 && s.rpcsByPeer.a1 === 20 && s.rpcsByPeer.a2 === 20,
    );
    const failedBefore = await failedCalls(c.stats);
    await env.cp.store.delete('WorkloadEntry', 'default', 'rig-a2');
    await statsWhen(c.stats, 40, (s) => s.numFailures === 0 && s.rpcsByPeer.a1 === 40);
    assert.equal(await failedCalls(c.stats), failedBefore, 'calls failed while the backend was removed');
  });

  it('change_backend_service: pointing the route at another service moves traffic without a failed call', async () => {
    await env.apply(
      [
        serviceYaml('cbs', 8080, [{ backend: env.backend('a1') }]),
        serviceYaml('cbs-alt', 8080, [{ backend: env.backend('a2') }]),
        virtualService('cbs', '    - route: [{ destination: { host: cbs } }]'),
      ].join('\n---\n'),
    );
    const c = await env.client('xds:///cbs:8080');
    await statsWhen(c.stats, 40, (s) => s.numFailures === 0 && s.rpcsByPeer.a1 === 40);
    const failedBefore = await failedCalls(c.stats);
    await env.apply(virtualService('cbs', '    - route: [{ destination: { host: cbs-alt } }]'));
    await statsWhen(c.stats, 40, (s) => s.numFailures === 0 && s.rpcsByPeer.a2 === 40);
    assert.equal(await failedCalls(c.stats), failedBefore, 'calls failed while the route changed');
  });

  it('circuit_breaking: http2MaxRequests caps calls in flight; the rest fail UNAVAILABLE; raising it takes effect', async () => {
    const pool = (n: number) => `    connectionPool: { http: { http2MaxRequests: ${n} } }`;
    await env.apply(
      [serviceYaml('cb', 8080, [{ backend: env.backend('a3') }]), subsetsRule('cb', ['v1'], pool(10))].join(
        '\n---\n',
      ),
    );
    const c = await env.client('xds:///cb:8080', {
      metadata: new Map([['UnaryCall', [['rpc-behavior', 'keep-open']]]]),
      timeoutSec: 30,
    });
    await eventually(async () => (await inFlight(c.stats, 'UNARY_CALL')) === 10, '10 calls in flight');
    await eventually(
      async () => (await resultCount(c.stats, 'UNARY_CALL', Code.UNAVAILABLE)) > 20,
      'calls refused',
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await inFlight(c.stats, 'UNARY_CALL'), 10);
    await env.apply(subsetsRule('cb', ['v1'], pool(25)));
    await eventually(async () => (await inFlight(c.stats, 'UNARY_CALL')) === 25, '25 calls in flight');
  });

  it('self-registration: xDS servers announce themselves in their node; an instance that stops leaves', async () => {
    // One port on two loopback addresses, as two hosts would serve one service port.
    const port = await freePortOn(['127.0.0.1', '127.0.0.2']);
    const start = (id: string, host: string) =>
      startHarnessProcess(
        'server',
        [
          `--port=${port}`,
          '--maintenance_port=0',
          `--server_id=${id}`,
          `--host=${host}`,
          '--xds_server_mode=true',
          '--register_app=selfreg',
          `--labels=version=${id}`,
        ],
        {
          ...process.env,
          GRPC_XDS_BOOTSTRAP_CONFIG: bootstrapJson(
            env.xdsPort,
            `sidecar~${host}~${id}.${NAMESPACE}~${NAMESPACE}.svc.cluster.local`,
          ),
        },
      );
    const [one, two] = await Promise.all([start('sr1', '127.0.0.1'), start('sr2', '127.0.0.2')]);
    assert.ok(one && two);
    assert.equal(one.info.register_app, 'selfreg');
    const c = await env.client(`xds:///selfreg:${port}`);
    try {
      await statsWhen(
        c.stats,
        40,
        (s) => s.numFailures === 0 && s.rpcsByPeer.sr1 === 20 && s.rpcsByPeer.sr2 === 20,
      );
      await two.stop();
      await statsWhen(c.stats, 40, (s) => s.numFailures === 0 && s.rpcsByPeer.sr1 === 40);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  it('xds_server_mode: a server that takes its inbound listener from the control plane serves the mesh', async () => {
    const serverEnv = {
      ...process.env,
      GRPC_XDS_BOOTSTRAP_CONFIG: bootstrapJson(
        env.xdsPort,
        `sidecar~127.0.0.1~xds-server.${NAMESPACE}~${NAMESPACE}.svc.cluster.local`,
      ),
    };
    const [server] = await startBackends(['xs1'], serverEnv, ['--xds_server_mode=true']);
    assert.ok(server);
    env.backends.push(server);
    assert.equal(server.process.info.xds_server_mode, 'true');
    await eventually(
      async () => /shoal-xds-interop-server: serving/.test(server.process.output()),
      'serving',
    );
    await env.apply(serviceYaml('xsm', 8080, [{ backend: server }]));
    const c = await env.client('xds:///xsm:8080', { types: ['EmptyCall', 'UnaryCall'] });
    const r = await statsWhen(c.stats, 40, (s) => s.numFailures === 0 && s.rpcsByPeer.xs1 === 40);
    assert.deepEqual(Object.keys(r.rpcsByMethod).sort(), ['EmptyCall', 'UnaryCall']);
    // CSDS on the maintenance port shows the inbound listener the server serves by.
    const resources = await csdsResources(`127.0.0.1:${server.maintenancePort}`);
    assert.ok(
      resources.includes(`Listener/xds.istio.io/grpc/lds/inbound/127.0.0.1:${server.port}`),
      resources.join(', '),
    );
  });
});
