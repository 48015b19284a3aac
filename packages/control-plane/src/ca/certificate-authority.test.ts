import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Code, RpcError } from '@shoal/rpc';
import { issueCertificate, selfSignedCertificate, tempDir } from '@shoal/testing';
import { createWorkloadKey, spiffeId } from '@shoal/xds/plugins';
import { DataDir } from '../state/data-dir.js';
import { CertificateAuthority } from './certificate-authority.js';

const id = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'greeter' };

/** `openssl verify` of a chain (leaf first, root last): its output, or the error's. */
function opensslVerify(chain: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-ca-verify-'));
  writeFileSync(join(dir, 'root.pem'), chain.at(-1)!);
  writeFileSync(join(dir, 'untrusted.pem'), chain.slice(1, -1).join('') || chain.at(-1)!);
  writeFileSync(join(dir, 'leaf.pem'), chain[0]!);
  try {
    return execFileSync(
      'openssl',
      ['verify', '-CAfile', 'root.pem', '-untrusted', 'untrusted.pem', '-purpose', 'sslclient', 'leaf.pem'],
      { cwd: dir, encoding: 'utf8', stdio: 'pipe' },
    );
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
}

describe('CertificateAuthority', () => {
  it('makes a root once, keeps it in the data dir, and loads the same one again', async () => {
    const dir = new DataDir(mkdtempSync(join(tmpdir(), 'shoal-ca-'))).ensure();
    const first = await CertificateAuthority.create({ dataDir: dir, trustDomain: 'example.org' });
    const again = await CertificateAuthority.create({ dataDir: dir, trustDomain: 'example.org' });
    assert.equal(again.rootPem, first.rootPem);
    const root = new X509Certificate(first.rootPem);
    assert.ok(root.ca);
    assert.match(root.subject, /O=example\.org/);
    assert.equal(root.verify(root.publicKey), true);
    assert.match(readFileSync(dir.file('ca-key.pem'), 'utf8'), /BEGIN PRIVATE KEY/);
    assert.match(first.source, /self-signed root made in/);
    assert.match(again.source, /self-signed root in/);
  });

  it('signs a CSR with the SPIFFE ID as the only SAN, for 24 h, verifiable by openssl', async () => {
    const ca = await CertificateAuthority.create();
    const key = await createWorkloadKey(spiffeId(id));
    const { chain, summary } = await ca.signCsr(key.csr, id);
    assert.equal(chain.length, 2);
    assert.equal(chain[1], ca.rootPem);
    assert.match(opensslVerify(chain), /leaf\.pem: OK/);
    assert.deepEqual(summary.uriSans, ['spiffe://cluster.local/ns/default/sa/greeter']);
    assert.deepEqual(summary.dnsSans, []);
    assert.equal(summary.isCa, false);
    const hours = (summary.notAfter.getTime() - Date.now()) / 3600_000;
    assert.ok(hours > 23.9 && hours <= 24, `${hours} h`);
    const leaf = new X509Certificate(chain[0]!);
    assert.ok(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(key.privateKey)));
    assert.match(
      leaf.toLegacyObject().ext_key_usage?.join(',') ?? '',
      /1\.3\.6\.1\.5\.5\.7\.3\.1.*1\.3\.6\.1\.5\.5\.7\.3\.2/,
    );
  });

  it('signs the token identity even when the CSR names none, and honours a short lifetime', async () => {
    const ca = await CertificateAuthority.create();
    const { summary } = await ca.signCsr((await createWorkloadKey()).csr, id, 5);
    assert.deepEqual(summary.uriSans, [spiffeId(id)]);
    const seconds = (summary.notAfter.getTime() - Date.now()) / 1000;
    assert.ok(seconds > 3 && seconds <= 5, `${seconds} s`);
  });

  it('refuses a CSR that asks for another identity, or another trust domain', async () => {
    const ca = await CertificateAuthority.create();
    const other = await createWorkloadKey(spiffeId({ ...id, serviceAccount: 'admin' }));
    await assert.rejects(ca.signCsr(other.csr, id), (err: unknown) => {
      assert.ok(err instanceof RpcError);
      assert.equal(err.code, Code.PERMISSION_DENIED);
      assert.match(
        err.rawMessage,
        /asks for spiffe:\/\/cluster\.local\/ns\/default\/sa\/admin, but the caller proved only spiffe:\/\/cluster\.local\/ns\/default\/sa\/greeter/,
      );
      return true;
    });
    const foreign = { ...id, trustDomain: 'evil.org' };
    await assert.rejects(
      ca.signCsr((await createWorkloadKey()).csr, foreign),
      /not in this CA's trust domain/,
    );
    await assert.rejects(
      ca.signCsr('not a csr', id),
      (err: unknown) => (err as RpcError).code === Code.INVALID_ARGUMENT,
    );
  });

  it("loads Istio's plug-in CA files and chains through the intermediate", async () => {
    const dir = tempDir('plugin-ca');
    const root = selfSignedCertificate(dir, 'root', { subject: '/O=Plug-in Root', keyType: 'ec', days: 2 });
    const intermediate = issueCertificate(root, 'intermediate', {
      subject: '/O=Plug-in Intermediate',
      extensions: 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n',
    });
    // Istio's plug-in CA files.
    writeFileSync(join(dir, 'root-cert.pem'), root.cert);
    writeFileSync(join(dir, 'ca-cert.pem'), intermediate.cert);
    writeFileSync(join(dir, 'ca-key.pem'), intermediate.key);
    writeFileSync(join(dir, 'cert-chain.pem'), intermediate.cert + root.cert);
    const ca = await CertificateAuthority.create({ caDir: dir });
    assert.match(ca.source, /plug-in CA from/);
    assert.equal(ca.rootPem, readFileSync(join(dir, 'root-cert.pem'), 'utf8'));
    const { chain, summary } = await ca.signCsr((await createWorkloadKey()).csr, id);
    assert.equal(chain.length, 3);
    assert.match(opensslVerify(chain), /leaf\.pem: OK/);
    // Never past the signing certificate, whose lifetime is shorter than 24 h here.
    assert.ok(summary.notAfter.getTime() <= new Date(new X509Certificate(chain[1]!).validTo).getTime());

    writeFileSync(join(dir, 'ca-key.pem'), root.key);
    await assert.rejects(
      CertificateAuthority.create({ caDir: dir }),
      /ca-key\.pem is not the key of ca-cert\.pem/,
    );
    await assert.rejects(
      CertificateAuthority.create({ caDir: join(dir, 'nope') }),
      /cannot read ca-key\.pem/,
    );
  });
});
