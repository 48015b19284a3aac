// SDS for Envoy sidecars from the control plane's CA, over a real ADS stream: a sidecar whose
// stream carries a token for its own identity (metadata NAMESPACE and SERVICE_ACCOUNT) gets
// `default` (its own key and a certificate the CA issued, with the SPIFFE URI SAN) and `ROOTCA`
// (the CA's root). Each secret decodes with Envoy's real protos and passes their validate.rules;
// `openssl verify` accepts the chain against the root; renewal pushes a new certificate; a stream
// with no proof, or proof of another identity, gets no secret (even under the node id of a
// sidecar that has one); a revoked token gets no renewal.
// Envoy's SecretDiscoveryService on the same port serves them too (secrets only).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { createClient, GrpcTransport } from '@shoal/rpc';
import { envoy, LISTENER_TYPE_URL } from '@shoal/xds';
import { SECRET_TYPE_URL as SDS } from '@shoal/xds/plugins';
import type protobuf from 'protobufjs';
import { ControlPlane } from '../src/control-plane.js';
import { sotwAck, sotwRequest, TestStream } from './ads-test-client.js';
import { type EnvoyProtoChecks, envoyProtoChecks } from './envoy-proto-checks.js';

const TTL_SECONDS = 3;
const SECRETS = ['default', 'ROOTCA'];

const sidecar = (serviceAccount: string, ip = '10.0.0.7') => ({
  id: `sidecar~${ip}~productpage-v1-abc.default~default.svc.cluster.local`,
  userAgentName: 'envoy',
  metadata: { NAMESPACE: 'default', SERVICE_ACCOUNT: serviceAccount, LABELS: { app: 'productpage' } },
});

describe('SDS for sidecars, issued by the CA', () => {
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0, workloadCertTtlSeconds: TTL_SECONDS });
  const dir = mkdtempSync(join(tmpdir(), 'shoal-sds-'));
  let transport: GrpcTransport;
  let checks: EnvoyProtoChecks;
  let root: protobuf.Root;

  const stream = (token?: string) => {
    const client = createClient(envoy.AggregatedDiscoveryService, transport);
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    return new TestStream<envoy.DiscoveryRequest, envoy.DiscoveryResponse>((requests, signal) =>
      client.streamAggregatedResources(requests, { signal, headers }),
    );
  };

  /** Responses (each ACKed) until one holds `count` secrets. */
  const untilSecrets = async (s: ReturnType<typeof stream>, count: number) => {
    for (;;) {
      const res = await s.recv(10_000);
      s.send(sotwAck(SDS, SECRETS, res));
      if (res.resources.length === count) return res;
    }
  };

  /** The secrets of a response, decoded with Envoy's own Secret message and checked against it. */
  const decode = (res: envoy.DiscoveryResponse) => {
    const type = root.lookupType('envoy.extensions.transport_sockets.tls.v3.Secret');
    const out = new Map<string, { chain?: string; key?: string; trusted?: string }>();
    for (const any of res.resources) {
      assert.equal(any.typeUrl, SDS);
      const decoded = type.decode(any.value);
      const real = decoded as unknown as RealSecret;
      const ours = fromBinary(envoy.SecretSchema, any.value);
      assert.deepEqual(
        checks.diffAgainstReal(envoy.SecretSchema, ours, type.toObject(decoded, checks.TO_OBJECT)),
        [],
      );
      assert.deepEqual(checks.validateWithPgv(root, type.fullName.slice(1), any.value), [], real.name);
      const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString() : undefined);
      out.set(real.name, {
        chain: text(real.tls_certificate?.certificate_chain?.inline_bytes),
        key: text(real.tls_certificate?.private_key?.inline_bytes),
        trusted: text(real.validation_context?.trusted_ca?.inline_bytes),
      });
    }
    return out;
  };

  /** `openssl verify` of the leaf against the root, and the leaf's SAN as openssl prints it. */
  const opensslCheck = (chain: string, rootPem: string) => {
    writeFileSync(join(dir, 'leaf.pem'), chain);
    writeFileSync(join(dir, 'root.pem'), rootPem);
    const verified = execFileSync(
      'openssl',
      ['verify', '-CAfile', join(dir, 'root.pem'), join(dir, 'leaf.pem')],
      {
        encoding: 'utf8',
      },
    );
    const san = execFileSync(
      'openssl',
      ['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-ext', 'subjectAltName'],
      {
        encoding: 'utf8',
      },
    );
    return { verified: verified.trim(), san };
  };

  before(async () => {
    checks = await envoyProtoChecks();
    root = checks.loadRealEnvoy();
    const a = await cp.start();
    transport = new GrpcTransport({ address: `127.0.0.1:${a.xds.port}` });
  });
  after(async () => {
    transport?.close();
    await cp.stop(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a sidecar with a token for its identity gets its certificate and the root; openssl verifies them; renewal pushes a new one', async () => {
    const { token } = cp.tokens.create({ namespace: 'default', serviceAccount: 'bookinfo-productpage' });
    const s = stream(token);
    s.send(sotwRequest({ node: sidecar('bookinfo-productpage'), typeUrl: SDS, resourceNames: SECRETS }));
    const first = decode(await untilSecrets(s, 2));
    const rootPem = cp.ca!.rootPem;
    assert.equal(first.get('ROOTCA')?.trusted, rootPem);
    const workload = first.get('default')!;
    const leaf = new X509Certificate(workload.chain!);
    assert.ok(leaf.checkPrivateKey(createPrivateKey(workload.key!)), 'the key is the certificate’s');
    assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/default/sa/bookinfo-productpage');
    const openssl = opensslCheck(workload.chain!, rootPem);
    assert.match(openssl.verified, /: OK$/);
    assert.match(openssl.san, /URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/bookinfo-productpage/);
    const lifetime = Date.parse(leaf.validTo) - Date.now();
    assert.ok(lifetime > 0 && lifetime <= TTL_SECONDS * 1000, `${lifetime} ms left`);
    assert.equal(cp.issued.get(sidecar('x').id)?.certificate.serialNumber, leaf.serialNumber.toLowerCase());

    // Renewed at half its lifetime, before it expires: a new key and certificate, pushed.
    const renewed = decode(await untilSecrets(s, 2)).get('default')!;
    const next = new X509Certificate(renewed.chain!);
    assert.notEqual(next.serialNumber, leaf.serialNumber);
    assert.notEqual(renewed.key, workload.key);
    assert.ok(Date.parse(leaf.validTo) > Date.now(), 'renewed before the old one expired');
    assert.match(opensslCheck(renewed.chain!, rootPem).verified, /: OK$/);
    s.close();
  });

  it("the same secrets on Envoy's SecretDiscoveryService (a bootstrap whose sds-grpc cluster points here)", async () => {
    const { token } = cp.tokens.create({ namespace: 'default', serviceAccount: 'details' });
    const client = createClient(envoy.SecretDiscoveryService, transport);
    const s = new TestStream<envoy.DiscoveryRequest, envoy.DiscoveryResponse>((requests, signal) =>
      client.streamSecrets(requests, { signal, headers: { authorization: `Bearer ${token}` } }),
    );
    s.send(sotwRequest({ node: sidecar('details', '10.0.0.6'), typeUrl: SDS, resourceNames: SECRETS }));
    const secrets = decode(await untilSecrets(s, 2));
    const leaf = new X509Certificate(secrets.get('default')!.chain!);
    assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/default/sa/details');
    assert.equal(secrets.get('ROOTCA')?.trusted, cp.ca!.rootPem);
    // Only secrets are served there: a listener request gets no answer (a renewal may come).
    s.send(sotwRequest({ typeUrl: LISTENER_TYPE_URL }));
    const next = await s.recv(300).catch(() => undefined);
    assert.ok(next === undefined || next.typeUrl === SDS, next?.typeUrl);
    s.close();
  });

  it('a stream without proof, or with a token for another service account, gets no secret, even under the node id of a sidecar that has them', async () => {
    const { token: own } = cp.tokens.create({ namespace: 'default', serviceAccount: 'bookinfo-productpage' });
    const { token: other } = cp.tokens.create({ namespace: 'default', serviceAccount: 'reviews' });
    const node = sidecar('bookinfo-productpage', '10.0.0.8');
    const owner = stream(own);
    owner.send(sotwRequest({ node, typeUrl: SDS, resourceNames: SECRETS }));
    await untilSecrets(owner, 2);
    for (const s of [stream(), stream(other)]) {
      s.send(sotwRequest({ node, typeUrl: SDS, resourceNames: SECRETS }));
      const res = await s.recv();
      assert.equal(res.resources.length, 0);
      s.send(sotwAck(SDS, SECRETS, res));
      // Long enough for the owner's renewal, which is not pushed here either.
      await s.expectNone(TTL_SECONDS * 600);
      s.close();
    }
    owner.close();
  });

  it('a revoked token gets no renewal: the secrets are withdrawn', async () => {
    const { token, record } = cp.tokens.create({ namespace: 'default', serviceAccount: 'ratings' });
    const s = stream(token);
    s.send(sotwRequest({ node: sidecar('ratings', '10.0.0.9'), typeUrl: SDS, resourceNames: SECRETS }));
    await untilSecrets(s, 2);
    assert.ok(cp.tokens.revoke(record.id));
    await untilSecrets(s, 0);
    s.close();
  });
});

/** The fields of Envoy's Secret read here, as protobufjs decodes them (proto field names). */
interface RealSecret {
  name: string;
  tls_certificate?: {
    certificate_chain?: { inline_bytes?: Uint8Array };
    private_key?: { inline_bytes?: Uint8Array };
  };
  validation_context?: { trusted_ca?: { inline_bytes?: Uint8Array } };
}
