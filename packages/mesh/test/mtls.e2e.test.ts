// Mutual TLS end to end, with Shoal's control plane as the CA: providers and consumers get their
// certificates with a token (the built-in shoal_ca provider, no agent) and talk xDS over mTLS;
// PeerAuthentication STRICT makes the provider's inbound listener take only mTLS, and the
// consumer's cluster carries the UpstreamTlsContext (auto mTLS) with the provider's SPIFFE ID.
// Plaintext, an untrusted certificate and a wrong SAN fail with errors that say so; RBAC sees
// the caller's identity; a registration from another identity is refused.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CertificateAuthority } from '@shoal/control-plane';
import { Code, createClient, RpcError } from '@shoal/rpc';
import { parseBootstrap } from '@shoal/xds';
import { createWorkloadKey } from '@shoal/xds/plugins';
import { createMeshClient, meshTransportOf } from '../src/client/create-mesh-client.js';
import { createMeshServer } from '../src/server/mesh-server.js';
import { Greeter } from './gen/shoal/meshtest/v1/greeter_pb.js';
import { MeshHarness, type Provider, waitFor } from './mesh-harness.js';

const STRICT = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: istio-system }
spec: { mtls: { mode: STRICT } }
`;

const ok = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  );

describe('e2e: mutual TLS from the control plane CA, STRICT', () => {
  let mesh: MeshHarness;
  let provider: Provider;
  before(async () => {
    mesh = await MeshHarness.start();
    mesh.apply(STRICT);
    provider = await mesh.provider('p1', { ip: '127.0.0.2', labels: { app: 'greeter' } }, true);
  });
  after(() => mesh.stop());

  it('a consumer with its own certificate calls the STRICT provider over mTLS', async () => {
    const c = mesh.consumer({ serviceAccount: 'consumer' });
    await waitFor(() => ok(c.sayHello({})), 'the first mTLS call', 10_000);
    assert.equal((await c.sayHello({})).server, 'p1');
    const registered = mesh.controlPlane.registry.endpoints('greeter.default.svc.cluster.local');
    assert.deepEqual(
      registered.map((e) => e.serviceAccount),
      ['greeter'],
    );
    const status = mesh.controlPlane.ads.clients().find((s) => s.nodeId === 'p1');
    assert.equal(status?.transport.security, 'mTLS');
    assert.equal(status?.transport.identity, 'spiffe://cluster.local/ns/default/sa/greeter');
  });

  it('refuses a plaintext call with an error that says mutual TLS is required', async () => {
    const plain = createClient(Greeter, `${provider.ip}:${provider.server.server.port}`);
    await assert.rejects(plain.sayHello({}), (err: unknown) => {
      assert.ok(err instanceof RpcError);
      assert.equal(err.code, Code.UNAVAILABLE);
      assert.match(err.rawMessage, /plaintext connection refused: the inbound listener requires mutual TLS/);
      return true;
    });
  });

  it("refuses a server whose certificate is not from the consumer's root, and says so", async () => {
    // A consumer whose certificate and root come from another CA, through file_watcher files.
    const foreign = await CertificateAuthority.create({ trustDomain: 'cluster.local' });
    const key = await createWorkloadKey();
    const { chain } = await foreign.signCsr(key.csr, {
      trustDomain: 'cluster.local',
      namespace: 'default',
      serviceAccount: 'consumer',
    });
    const dir = mkdtempSync(join(tmpdir(), 'shoal-foreign-'));
    writeFileSync(join(dir, 'cert-chain.pem'), chain[0]!);
    writeFileSync(join(dir, 'key.pem'), key.privateKey);
    writeFileSync(join(dir, 'root-cert.pem'), foreign.rootPem);
    const base = mesh.bootstrap('foreign-consumer');
    const bootstrap = parseBootstrap({
      xds_servers: [{ server_uri: base.xdsServers[0]!.serverUri, channel_creds: [{ type: 'insecure' }] }],
      node: { id: 'foreign-consumer', metadata: { NAMESPACE: 'default' } },
      certificate_providers: {
        default: {
          plugin_name: 'file_watcher',
          config: {
            certificate_file: join(dir, 'cert-chain.pem'),
            private_key_file: join(dir, 'key.pem'),
            ca_certificate_file: join(dir, 'root-cert.pem'),
          },
        },
      },
    });
    const c = createMeshClient(Greeter, mesh.target, { bootstrap });
    try {
      const err = await c.sayHello({}).then(
        () => undefined,
        (e: unknown) => e as RpcError,
      );
      assert.equal(err?.code, Code.UNAVAILABLE);
      assert.match(
        err?.rawMessage ?? '',
        /mTLS to 127\.0\.0\.2:\d+ .*: the server's certificate (is not signed by the mesh root|chains to a root this client does not trust)/,
      );
    } finally {
      meshTransportOf(c).close();
    }
  });

  it('refuses a server whose SAN the cluster does not expect', async () => {
    const c = mesh.consumer({ serviceAccount: 'consumer' });
    await waitFor(() => ok(c.sayHello({})), 'mTLS', 10_000);
    mesh.apply(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: greeter, namespace: default }
spec:
  host: greeter
  trafficPolicy:
    tls: { mode: ISTIO_MUTUAL, subjectAltNames: [spiffe://cluster.local/ns/default/sa/someone-else] }
`);
    let last: unknown;
    await waitFor(
      () =>
        c.sayHello({}).then(
          () => false,
          (e) => {
            last = e;
            return /match_subject_alt_names/.test(String((e as Error).message));
          },
        ),
      'the wrong SAN to be refused',
      10_000,
    );
    assert.equal((last as RpcError).code, Code.UNAVAILABLE);
    assert.match(
      (last as RpcError).rawMessage,
      /mTLS to 127\.0\.0\.2:\d+ \(cluster "outbound\|\d+\|\|greeter\.default\.svc\.cluster\.local"\): the server's certificate SANs \[URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/greeter\] match none/,
    );
    mesh.controlPlane.store.delete('DestinationRule', 'default', 'greeter');
    await waitFor(() => ok(c.sayHello({})), 'the DestinationRule to go', 10_000);
  });

  it('lets RBAC see the caller: principals and namespaces of AuthorizationPolicy', async () => {
    const allowed = mesh.consumer({ serviceAccount: 'consumer' });
    const other = mesh.consumer({ serviceAccount: 'intruder' });
    await waitFor(
      async () => (await ok(allowed.sayHello({}))) && (await ok(other.sayHello({}))),
      'both',
      10_000,
    );
    mesh.apply(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: consumer-only, namespace: default }
spec:
  selector: { matchLabels: { app: greeter } }
  action: ALLOW
  rules:
  - from: [{ source: { principals: [cluster.local/ns/default/sa/consumer] } }]
  - from: [{ source: { namespaces: [prod] } }]
`);
    await waitFor(
      () =>
        other.sayHello({}).then(
          () => false,
          (e) => RpcError.from(e).code === Code.PERMISSION_DENIED,
        ),
      'the policy',
      10_000,
    );
    assert.equal((await allowed.sayHello({})).server, 'p1');
    await assert.rejects(other.sayHello({}), /RBAC: access denied/);
    mesh.controlPlane.store.delete('AuthorizationPolicy', 'default', 'consumer-only');
  });

  it('refuses registrations from another identity, and from plaintext under STRICT', async () => {
    const attempts = [
      // Another service account for the same app.
      mesh.bootstrap('thief', undefined, { namespace: 'default', serviceAccount: 'intruder' }),
      // No certificate at all.
      mesh.bootstrap('anonymous'),
    ];
    for (const bootstrap of attempts) {
      const thief = createMeshServer({ bootstrap, registration: { app: 'greeter' } });
      thief.register(Greeter, {
        sayHello: () => ({ server: 'thief' }),
        farewell: () => ({ server: 'thief' }),
      });
      await thief.listen(0, '127.0.0.3');
      try {
        await new Promise((r) => setTimeout(r, 1500));
        const endpoints = mesh.controlPlane.registry.endpoints('greeter.default.svc.cluster.local');
        assert.deepEqual(
          endpoints.map((e) => e.address),
          ['127.0.0.2'],
          `${bootstrap.node.id} registered`,
        );
        assert.equal(thief.isServing, false);
      } finally {
        await thief.close(0);
      }
    }
  });
});

describe('e2e: PERMISSIVE serves plaintext and mTLS on one port', () => {
  let mesh: MeshHarness;
  let provider: Provider;
  before(async () => {
    mesh = await MeshHarness.start();
    mesh.apply(STRICT.replace('STRICT', 'PERMISSIVE'));
    provider = await mesh.provider('p1', { ip: '127.0.0.2', labels: { app: 'greeter' } }, true);
  });
  after(() => mesh.stop());

  it('takes a plaintext caller and an ISTIO_MUTUAL caller, telling them apart by the first bytes', async () => {
    const plain = createClient(Greeter, `${provider.ip}:${provider.server.server.port}`);
    assert.equal((await plain.sayHello({})).server, 'p1');
    mesh.apply(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: greeter, namespace: default }
spec: { host: greeter, trafficPolicy: { tls: { mode: ISTIO_MUTUAL } } }
`);
    const secure = mesh.consumer({ serviceAccount: 'consumer' });
    await waitFor(
      async () => (await ok(secure.sayHello({}))) && provider.peerSerials.size > 0,
      'an mTLS call',
      10_000,
    );
    assert.equal((await plain.sayHello({})).server, 'p1');
  });
});

describe('e2e: certificates of a few seconds rotate under load without a failed call', () => {
  let mesh: MeshHarness;
  let provider: Provider;
  before(async () => {
    mesh = await MeshHarness.start();
    mesh.apply(STRICT);
    provider = await mesh.provider(
      'p1',
      { ip: '127.0.0.2', labels: { app: 'greeter' }, lifetimeSeconds: 3 },
      true,
    );
  });
  after(() => mesh.stop());

  it('keeps calling for 8 s while client and server certificates (3 s) are replaced', async () => {
    const serverSerials = new Set<string>();
    const tls = () =>
      provider.server.xdsClient!.certificateProviders.get('default').current()?.identity?.serialNumber;
    const steady = mesh.consumer({ serviceAccount: 'consumer', lifetimeSeconds: 3 });
    await waitFor(() => ok(steady.sayHello({})), 'the first call', 10_000);
    const failures: string[] = [];
    let calls = 0;
    const until = Date.now() + 8000;
    const loop = async (c: typeof steady) => {
      while (Date.now() < until) {
        try {
          await c.sayHello({});
          calls++;
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    // Steady load on long-lived connections, and a new consumer (new connections, fresh
    // certificates on both sides) every second.
    // The server's certificate is sampled on a timer, not per new consumer: under load a new
    // consumer can take longer than a certificate lives.
    const sampler = setInterval(() => {
      const s = tls();
      if (s) serverSerials.add(s);
    }, 250);
    const fresh = (async () => {
      while (Date.now() < until - 1000) {
        const c = mesh.consumer({ serviceAccount: 'consumer', lifetimeSeconds: 3 });
        await waitFor(() => ok(c.sayHello({})), 'a new consumer', 5000).catch((e) =>
          failures.push(String(e)),
        );
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    await Promise.all([loop(steady), loop(steady), loop(steady), fresh]).finally(() =>
      clearInterval(sampler),
    );
    assert.deepEqual(failures, []);
    assert.ok(calls > 100, `${calls} calls`);
    assert.ok(serverSerials.size >= 3, `server certificates seen: ${serverSerials.size}`);
    assert.ok(provider.peerSerials.size >= 4, `client certificates seen: ${provider.peerSerials.size}`);
  });
});
