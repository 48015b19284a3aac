// Shoal's CA: a root made on first start and kept in the data dir (`ca-cert.pem`, `ca-key.pem`,
// like istiod's self-signed istio-ca-secret), or, for replicas, in their shared store (made by
// the first replica in one transaction, loaded by the others: shared-ca-root.ts), or Istio's
// plug-in CA files from `--ca-dir` (`ca-cert.pem`, `ca-key.pem`, `root-cert.pem`, `cert-chain.pem`). It signs workload CSRs with
// the identity the caller proved as the only URI SAN (SPIFFE, `spiffe://<td>/ns/<ns>/sa/<sa>`),
// 24 h by default, never past the signing certificate. Certificates are made by @peculiar/x509
// with node:crypto's keys; nothing is encoded by hand.
// Istio: security/pkg/pki/ca (IstioCA, GenCertFromCSR), plug-in CA certificates.

import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Code, RpcError } from '@shoal/rpc';
import {
  type CertificateSummary,
  loadX509,
  parsePemChain,
  spiffeId,
  summarize,
  toPem,
  type WorkloadIdentity,
} from '@shoal/xds/plugins';
import type { SharedState } from '../backends/store-backends.js';
import type { DataDir } from '../state/data-dir.js';
import { importSigningKey, type SigningKey } from './ca-keys.js';
import { sharedRoot } from './shared-ca-root.js';

export interface CertificateAuthorityOptions {
  /** Default `cluster.local`. */
  readonly trustDomain?: string;
  /** Where a made root is kept; without it, a new root per process. */
  readonly dataDir?: DataDir;
  /** Replicas' shared store: the root is kept there (and the data dir's, if any, moved there first). */
  readonly shared?: SharedState;
  /** Istio plug-in CA files; wins over the data dir. */
  readonly caDir?: string;
  /** Default lifetime of a workload certificate (24 h). */
  readonly workloadTtlSeconds?: number;
  /** The longest lifetime a request may ask for (90 days, as Istio's MAX_WORKLOAD_CERT_TTL). */
  readonly maxTtlSeconds?: number;
}

export interface IssuedCertificate {
  /** PEM, the new certificate first and the root last. */
  readonly chain: string[];
  readonly summary: CertificateSummary;
}

const SUBJECT_ALT_NAME_OID = '2.5.29.17';
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const ROOT_YEARS = 10;
/** Issued certificates start a minute early, for clocks a little behind ours. */
const BACKDATE_MS = 60_000;

export class CertificateAuthority {
  readonly trustDomain: string;
  /** The signing certificate. */
  private readonly cert: X509Certificate;
  private readonly key: SigningKey;
  /** PEM: the signing certificate up to (not including) the root; empty for a self-signed root. */
  private readonly intermediates: string[];
  /** PEM root-cert.pem. */
  readonly rootPem: string;
  private readonly ttl: number;
  private readonly maxTtl: number;
  /** Where the CA came from, for logs. */
  readonly source: string;

  private constructor(init: {
    trustDomain: string;
    cert: X509Certificate;
    key: SigningKey;
    intermediates: string[];
    rootPem: string;
    ttl: number;
    maxTtl: number;
    source: string;
  }) {
    this.trustDomain = init.trustDomain;
    this.cert = init.cert;
    this.key = init.key;
    this.intermediates = init.intermediates;
    this.rootPem = init.rootPem;
    this.ttl = init.ttl;
    this.maxTtl = init.maxTtl;
    this.source = init.source;
  }

  static async create(options: CertificateAuthorityOptions = {}): Promise<CertificateAuthority> {
    const trustDomain = options.trustDomain ?? 'cluster.local';
    const ttl = options.workloadTtlSeconds ?? 24 * 3600;
    const maxTtl = options.maxTtlSeconds ?? 90 * 24 * 3600;
    const common = { trustDomain, ttl, maxTtl };
    if (options.caDir) return new CertificateAuthority({ ...common, ...(await loadPluginCa(options.caDir)) });
    const dir = options.dataDir;
    if (options.shared) {
      const kept = dir?.read('ca-cert.pem') !== undefined && dir?.read('ca-key.pem') !== undefined;
      const root = await sharedRoot(options.shared, async () =>
        kept
          ? { certPem: dir!.read('ca-cert.pem')!, keyPem: dir!.read('ca-key.pem')! }
          : makeRoot(trustDomain),
      );
      const key = await importSigningKey(root.keyPem, `the CA root in ${options.shared.description}`);
      const source = root.created
        ? `self-signed root ${kept ? `moved from ${dir!.path} ` : 'made '}into ${options.shared.description}`
        : `self-signed root shared in ${options.shared.description}`;
      return new CertificateAuthority({
        ...common,
        cert: root.cert,
        key,
        intermediates: [],
        rootPem: root.certPem,
        source,
      });
    }
    let certPem = dir?.read('ca-cert.pem');
    let keyPem = dir?.read('ca-key.pem');
    let source = dir ? `self-signed root in ${dir.path}` : 'self-signed root (in memory)';
    if (certPem === undefined || keyPem === undefined) {
      ({ certPem, keyPem } = await makeRoot(trustDomain));
      dir?.write('ca-key.pem', keyPem);
      dir?.write('ca-cert.pem', certPem, 0o644);
      source = dir ? `self-signed root made in ${dir.path}` : source;
    }
    const cert = new X509Certificate(certPem);
    const key = await importSigningKey(keyPem, 'ca-key.pem');
    return new CertificateAuthority({ ...common, cert, key, intermediates: [], rootPem: certPem, source });
  }

  get root(): CertificateSummary {
    return summarize(new X509Certificate(this.rootPem));
  }

  /** The certificate that signs (the root itself, or a plug-in CA's intermediate). */
  get signing(): CertificateSummary {
    return summarize(this.cert);
  }

  /**
   * Signs a workload CSR for `identity`. The CSR's own SANs, if any, must be that identity: the
   * CA never signs a name the caller did not prove. Throws RpcError (INVALID_ARGUMENT,
   * PERMISSION_DENIED).
   */
  async signCsr(csrPem: string, identity: WorkloadIdentity, ttlSeconds?: number): Promise<IssuedCertificate> {
    const x509 = await loadX509();
    let csr: InstanceType<typeof x509.Pkcs10CertificateRequest>;
    try {
      csr = new x509.Pkcs10CertificateRequest(csrPem);
    } catch (err) {
      throw new RpcError(
        Code.INVALID_ARGUMENT,
        `the CSR is not a PEM PKCS#10 request: ${(err as Error).message}`,
      );
    }
    if (!(await csr.verify())) throw new RpcError(Code.INVALID_ARGUMENT, 'the CSR signature does not verify');
    const id = spiffeId(identity);
    const sanExtension = csr.getExtension(SUBJECT_ALT_NAME_OID);
    const asked = sanExtension
      ? new x509.SubjectAlternativeNameExtension(sanExtension.rawData).names.items
      : [];
    for (const name of asked) {
      if (name.type === 'url' && name.value === id) continue;
      throw new RpcError(
        Code.PERMISSION_DENIED,
        `the CSR asks for ${name.type === 'url' ? name.value : `${name.type} ${name.value}`}, but the caller proved only ${id}`,
      );
    }
    if (identity.trustDomain !== this.trustDomain)
      throw new RpcError(
        Code.PERMISSION_DENIED,
        `${id} is not in this CA's trust domain ${this.trustDomain}`,
      );
    const seconds = ttlSeconds !== undefined && ttlSeconds > 0 ? Math.min(ttlSeconds, this.maxTtl) : this.ttl;
    return this.issue(csr.publicKey, { uris: [id] }, seconds);
  }

  /** A server certificate for this control plane's own ports (TLS on xDS and the CA API). */
  async issueServerCertificate(
    names: { dns: string[]; ips: string[] },
    ttlSeconds: number,
  ): Promise<IssuedCertificate & { privateKey: string }> {
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const issued = await this.issue(keys.publicKey, { dns: names.dns, ips: names.ips }, ttlSeconds);
    const privateKey = toPem(
      new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
      'PRIVATE KEY',
    );
    return { ...issued, privateKey };
  }

  private async issue(
    publicKey: webcrypto.CryptoKey | import('@peculiar/x509').PublicKey,
    names: { uris?: string[]; dns?: string[]; ips?: string[] },
    ttlSeconds: number,
  ): Promise<IssuedCertificate> {
    const x509 = await loadX509();
    const now = Date.now();
    const caEnd = new Date(this.cert.validTo).getTime();
    const notAfter = new Date(Math.min(now + ttlSeconds * 1000, caEnd));
    const ca = new x509.X509Certificate(this.cert.raw);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: '',
      issuer: ca.subject,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter,
      publicKey,
      signingKey: this.key.key,
      signingAlgorithm: this.key.algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(ca, false),
        // No subject: the SAN carries the identity and is critical (RFC 5280 §4.2.1.6).
        new x509.SubjectAlternativeNameExtension(
          [
            ...(names.uris ?? []).map((value) => ({ type: 'url' as const, value })),
            ...(names.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
            ...(names.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
          ],
          true,
        ),
      ],
    });
    const pem = cert.toString('pem');
    return {
      chain: [`${pem}\n`, ...this.intermediates, this.rootPem],
      summary: summarize(new X509Certificate(pem)),
    };
  }
}

/** 16 random bytes, top bit clear (a positive INTEGER, RFC 5280 §4.1.2.2). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
}

async function makeRoot(trustDomain: string): Promise<{ certPem: string; keyPem: string }> {
  const x509 = await loadX509();
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `O=${trustDomain}`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + ROOT_YEARS * 365 * 24 * 3600_000),
    keys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem: `${cert.toString('pem')}\n`, keyPem: toPem(pkcs8, 'PRIVATE KEY') };
}

/** Istio's plug-in CA folder, checked: the key signs for ca-cert, and cert-chain reaches root-cert. */
async function loadPluginCa(dir: string) {
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch (err) {
      throw new Error(`--ca-dir ${dir}: cannot read ${name}: ${(err as Error).message}`);
    }
  };
  const keyPem = read('ca-key.pem');
  const rootPem = read('root-cert.pem');
  const cert = parsePemChain(read('ca-cert.pem'), `--ca-dir ${dir}: ca-cert.pem`)[0]!;
  const root = parsePemChain(rootPem, `--ca-dir ${dir}: root-cert.pem`)[0]!;
  const key = await importSigningKey(keyPem, `--ca-dir ${dir}: ca-key.pem`);
  if (!cert.checkPrivateKey(createPrivateKey(keyPem)))
    throw new Error(`--ca-dir ${dir}: ca-key.pem is not the key of ca-cert.pem`);
  if (!cert.ca)
    throw new Error(`--ca-dir ${dir}: ca-cert.pem is not a CA certificate (basicConstraints CA:FALSE)`);
  // cert-chain.pem runs from ca-cert.pem towards the root: each is signed by the next.
  const seen = new Set<string>();
  const path = [
    cert,
    ...parsePemChain(read('cert-chain.pem'), `--ca-dir ${dir}: cert-chain.pem`),
    root,
  ].filter((c) => !seen.has(c.fingerprint256) && seen.add(c.fingerprint256));
  for (let i = 0; i + 1 < path.length; i++) {
    if (!path[i]!.verify(path[i + 1]!.publicKey))
      throw new Error(
        `--ca-dir ${dir}: cert-chain.pem does not lead from ca-cert.pem to root-cert.pem (${path[i]!.subject} is not signed by ${path[i + 1]!.subject})`,
      );
  }
  const intermediates = path.slice(0, -1).map((c) => c.toString());
  return { cert, key, intermediates, rootPem, source: `plug-in CA from ${dir}` };
}
