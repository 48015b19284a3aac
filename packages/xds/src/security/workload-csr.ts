// A workload's key pair and its PKCS#10 request (RFC 2986) for Istio's CA API: an ECDSA P-256 key
// made with WebCrypto, the CSR by @peculiar/x509, with the SPIFFE ID as its URI SAN when known
// (the CA fills in the identity its token grants either way).

import { webcrypto } from 'node:crypto';
import { loadX509 } from './x509.js';

export interface WorkloadKey {
  /** PKCS#8 PEM. */
  readonly privateKey: string;
  /** PKCS#10 PEM. */
  readonly csr: string;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function createWorkloadKey(spiffeId?: string): Promise<WorkloadKey> {
  const x509 = await loadX509();
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: EC,
    extensions: spiffeId
      ? [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }])]
      : [],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { privateKey: toPem(pkcs8, 'PRIVATE KEY'), csr: request.toString('pem') };
}

export function toPem(der: Uint8Array, label: string): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
