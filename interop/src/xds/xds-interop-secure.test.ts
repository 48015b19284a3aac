// gRPC's --secure_mode=true on both harness bins (gRFC A29): under PeerAuthentication STRICT, a
// self-registered xDS server and a client, each with a certificate from Shoal's CA (the shoal_ca
// provider and a token, mTLS to the xDS port), call each other over mutual TLS; the same client
// with --secure_mode=false (plaintext, gRPC's insecure credentials) is refused.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ControlPlane } from '@shoal/control-plane';
import { createClient } from '@shoal/rpc';
import { LoadBalancerStatsService } from '../gen/grpc/testing/test_pb.js';
import { type HarnessProcess, startHarnessProcess } from './harness-process.js';

describe('xDS interop bins with --secure_mode=true', () => {
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0, leaseGraceMs: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'shoal-secure-interop-'));
  const processes: HarnessProcess[] = [];
  let xds = 0;

  /** GRPC_XDS_BOOTSTRAP_CONFIG for a workload of service account `sa`, with its token file. */
  const bootstrap = (id: string, sa: string) => {
    const tokenFile = join(dir, `${id}.token`);
    writeFileSync(tokenFile, cp.tokens.create({ namespace: 'default', serviceAccount: sa }).token);
    return JSON.stringify({
      xds_servers: [
        {
          server_uri: `127.0.0.1:${xds}`,
          channel_creds: [
            {
              type: 'tls',
              config: {
                ca_certificate_file: join(dir, 'root-cert.pem'),
                certificate_provider_instance: 'default',
              },
            },
          ],
          server_features: ['xds_v3'],
        },
      ],
      node: { id, metadata: { NAMESPACE: 'default' } },
      certificate_providers: { default: { plugin_name: 'shoal_ca', config: { token_file: tokenFile } } },
      server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
    });
  };

  before(async () => {
    xds = (await cp.start()).xds.port;
    writeFileSync(join(dir, 'root-cert.pem'), cp.ca!.rootPem);
    cp.store.apply(`
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: istio-system }
spec: { mtls: { mode: STRICT } }
`);
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await cp.stop(0);
  });

  it('calls over mTLS with --secure_mode=true, and is refused in plaintext', async () => {
    const server = await startHarnessProcess(
      'server',
      [
        '--port=0',
        '--maintenance_port=0',
        '--host=127.0.0.1',
        '--server_id=secure-a',
        '--register_app=backend',
        '--xds_server_mode',
        '--secure_mode=true',
      ],
      { ...process.env, GRPC_XDS_BOOTSTRAP_CONFIG: bootstrap('server-a', 'backend') },
    );
    processes.push(server);
    const target = `xds:///backend.default.svc.cluster.local:${server.info.port}`;
    const client = (secure: boolean, id: string) =>
      startHarnessProcess(
        'client',
        [
          `--server=${target}`,
          '--stats_port=0',
          '--stats_host=127.0.0.1',
          '--qps=20',
          `--secure_mode=${secure}`,
        ],
        { ...process.env, GRPC_XDS_BOOTSTRAP_CONFIG: bootstrap(id, 'frontend') },
      );
    const secure = await client(true, 'client-secure');
    processes.push(secure);
    const stats = createClient(LoadBalancerStatsService, `127.0.0.1:${secure.info.stats_port}`);
    let peers: Record<string, number> = {};
    for (let i = 0; i < 20 && (peers['secure-a'] ?? 0) < 10; i++)
      peers = (await stats.getClientStats({ numRpcs: 10, timeoutSec: 5 })).rpcsByPeer;
    assert.equal(peers['secure-a'], 10, secure.output());
    const endpoint = cp.registry.endpoints('backend.default.svc.cluster.local')[0];
    assert.equal(endpoint?.serviceAccount, 'backend', 'registered over mTLS as its own identity');

    const plain = await client(false, 'client-plain');
    processes.push(plain);
    const plainStats = createClient(LoadBalancerStatsService, `127.0.0.1:${plain.info.stats_port}`);
    const window = await plainStats.getClientStats({ numRpcs: 10, timeoutSec: 5 });
    assert.deepEqual(window.rpcsByPeer, {});
    assert.ok(window.numFailures > 0);
  });
});
