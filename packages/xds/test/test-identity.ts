// A throwaway root and workload certificates (SPIFFE URI SANs) for the certificate provider and
// TLS specs, made with @peculiar/x509 and WebCrypto. Internal to tests.

import { webcrypto } from 'node:crypto';
import { toPem } from '../src/security/workload-csr.js';
import { loadX509 } from '../src/security/x509.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestRoot {
  readonly cert: string;
  issue(uri: string, lifetimeMs?: number): Promise<{ cert: string; key: string }>;
}

export async function makeTestRoot(name = 'O=test-root'): Promise<TestRoot> {
  const x509 = await loadX509();
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const now = Date.now();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    keys,
    signingAlgorithm: EC,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  let serial = 1;
  return {
    cert: root.toString('pem'),
    async issue(uri, lifetimeMs = 3600_000) {
      const leafKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: (++serial).toString(16).padStart(2, '0'),
        subject: '',
        issuer: root.subject,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + lifetimeMs),
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: EC,
        extensions: [
          new x509.ExtendedKeyUsageExtension([
            x509.ExtendedKeyUsage.serverAuth,
            x509.ExtendedKeyUsage.clientAuth,
          ]),
          new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }], true),
        ],
      });
      const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
      return { cert: leaf.toString('pem'), key: toPem(pkcs8, 'PRIVATE KEY') };
    },
  };
}
