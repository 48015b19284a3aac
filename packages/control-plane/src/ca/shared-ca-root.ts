// The CA's self-signed root in the replicas' shared store (`ca-root`: the certificate and its
// PKCS#8 key, PEM, as one JSON value), so that a certificate any replica issues verifies against
// every replica's root. The first replica stores one in a transaction; the others load it.
// The key is stored as istiod keeps its self-signed root (the `istio-ca-secret` Kubernetes
// Secret): unencrypted, protected by the store's own access control. Whoever can write the
// store's prefix can already rewrite every policy and registration, so a passphrase that every
// replica must also hold would move the secret, not narrow who can use it. A key that must never
// be in the store comes from Istio's plug-in CA files instead (`--ca-dir`), which win over it.
// Istio: security/pkg/pki/ca (NewSelfSignedIstioCAOptions: istio-ca-secret, load or create).

import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { SharedState } from '../backends/store-backends.js';

const NAME = 'ca-root';

export interface StoredRoot {
  certPem: string;
  keyPem: string;
}

/** The shared root (made by `make` if no replica stored one), checked: a CA certificate and its key. */
export async function sharedRoot(
  shared: SharedState,
  make: () => Promise<StoredRoot>,
): Promise<StoredRoot & { cert: X509Certificate; created: boolean }> {
  const { value, created } = await shared.createOnce(NAME, async () => JSON.stringify(await make()));
  const where = `the CA root in ${shared.description}`;
  let stored: Partial<StoredRoot>;
  try {
    stored = JSON.parse(value) as Partial<StoredRoot>;
  } catch (err) {
    throw new Error(`${where} is not JSON: ${(err as Error).message}`);
  }
  if (typeof stored.certPem !== 'string' || typeof stored.keyPem !== 'string')
    throw new Error(`${where} must hold certPem and keyPem (PEM strings)`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(stored.certPem);
  } catch (err) {
    throw new Error(`${where}: certPem is not a certificate: ${(err as Error).message}`);
  }
  if (!cert.ca) throw new Error(`${where}: certPem is not a CA certificate`);
  if (!cert.checkPrivateKey(createPrivateKey(stored.keyPem)))
    throw new Error(`${where}: keyPem is not the key of certPem`);
  return { certPem: stored.certPem, keyPem: stored.keyPem, cert, created };
}
