// Replicas on one etcd share one CA (a real 3-member etcd cluster on loopback, as the replica
// suites use): two control planes started together make one root between them (one transaction
// wins), a third started later loads it, even with a root of its own in its data dir. A workload
// certificate that replica A issues (for a token made through B's admin API) verifies against
// replica B's root (`openssl verify`), and B's xDS port's certificate against A's root
// (`openssl s_client`). A token revoked through one replica is refused by the others.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GrpcTransport } from '@shoal/rpc';
import { createCertificate, createWorkloadKey } from '@shoal/xds/plugins';
import { etcdAvailable, LocalEtcdCluster } from '../src/backends/local-etcd.js';
import { CertificateAuthority } from '../src/ca/certificate-authority.js';
import { ControlPlane } from '../src/control-plane.js';
import { DataDir } from '../src/state/data-dir.js';
import { until } from './until.js';

describe('replicas share one CA through etcd', { skip: !etcdAvailable() && 'no /usr/bin/etcd' }, () => {
  let cluster: LocalEtcdCluster;
  const dir = mkdtempSync(join(tmpdir(), 'shoal-replica-ca-'));
  const replicas: ControlPlane[] = [];
  const replica = (dataDir?: string) => {
    const cp = new ControlPlane({
      xdsPort: 0,
      adminPort: 0,
      store: cluster.storeUrl,
      storePrefix: `/shoal-ca-${process.pid}`,
      ...(dataDir && { dataDir }),
    });
    replicas.push(cp);
    return cp;
  };
  const admin = async (cp: ControlPlane, port: number, method: string, path: string, body?: object) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${cp.adminToken}`, 'content-type': 'application/json' },
      ...(body && { body: JSON.stringify(body) }),
    });
    assert.equal(res.status, 200, `${method} ${path}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const issue = async (xdsPort: number, token: string) => {
    const key = await createWorkloadKey('spiffe://cluster.local/ns/default/sa/greeter');
    const transport = new GrpcTransport({ address: `127.0.0.1:${xdsPort}` });
    return createCertificate(transport, { csr: key.csr, token }).finally(() => transport.close());
  };
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  before(async () => {
    cluster = await LocalEtcdCluster.start(3);
  });
  after(async () => {
    // Followers first, on purpose: a follower's stop ends its election watch (etcd3's Campaign could not).
    const leads = (cp: ControlPlane) => cp.backend.leadership?.isLeader === true;
    for (const cp of [...replicas.filter((cp) => !leads(cp)), ...replicas.filter(leads)])
      await cp.stop(0).catch(() => {});
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('A issues, B verifies: one root for every replica, made once', async () => {
    const [a, b] = [replica(), replica()];
    const [addressA, addressB] = await Promise.all([a.start(), b.start()]);
    assert.equal(a.ca!.rootPem, b.ca!.rootPem);
    // One of them made it; the other loaded what the winner stored.
    assert.deepEqual([a.ca!.source, b.ca!.source].map((s) => /made into/.test(s)).sort(), [false, true]);

    const made = await admin(b, addressB.admin.port, 'POST', '/api/tokens', {
      namespace: 'default',
      serviceAccount: 'greeter',
    });
    const token = made.token as string;
    const chain = await issue(addressA.xds.port, token);
    const leaf = new X509Certificate(chain[0]!);
    assert.ok(leaf.verify(new X509Certificate(b.ca!.rootPem).publicKey));
    const verified = await openssl([
      'verify',
      '-CAfile',
      file('b-root.pem', b.ca!.rootPem),
      file('a-leaf.pem', chain[0]!),
    ]);
    assert.match(verified, /a-leaf\.pem: OK/);

    // B's own server certificate (its xDS port's TLS), checked by openssl against A's root.
    // Not execFileSync: B serves from this process, and must answer while openssl waits.
    const handshake = await openssl([
      's_client',
      '-connect',
      `127.0.0.1:${addressB.xds.port}`,
      '-CAfile',
      file('a-root.pem', a.ca!.rootPem),
      '-verify_return_error',
    ]);
    assert.match(handshake, /Verify return code: 0 \(ok\)/);

    // Revoked through A: B's CA refuses the token as soon as B sees the change.
    await admin(a, addressA.admin.port, 'DELETE', `/api/tokens/${made.id}`);
    await until('B refuses the revoked token', () =>
      issue(addressB.xds.port, token).then(
        () => false,
        (err: Error) => /unknown or revoked/.test(err.message),
      ),
    );
  });

  it('a replica started later loads the shared root, not the one in its data dir', async () => {
    const own = join(dir, 'own-data');
    const local = await CertificateAuthority.create({ dataDir: new DataDir(own).ensure() });
    const c = replica(own);
    await c.start();
    assert.equal(c.ca!.rootPem, replicas[0]!.ca!.rootPem);
    assert.notEqual(c.ca!.rootPem, local.rootPem);
    assert.match(c.ca!.source, /shared in etcd:/);
  });
});

/** openssl's output, with its stdin closed at once (s_client then ends after the handshake). */
function openssl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', args, { timeout: 10_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
    child.stdin?.end();
  });
}
