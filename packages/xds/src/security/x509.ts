// X.509 for workload identity: @peculiar/x509 (loaded on first use, with the reflect-metadata
// polyfill its dependency injection needs) for making CSRs and certificates, node:crypto for
// reading them. No ASN.1 is written by hand. SPIFFE IDs per the SPIFFE ID spec and Istio:
// `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`.

import { X509Certificate } from 'node:crypto';

type X509Module = typeof import('@peculiar/x509');
let x509: Promise<X509Module> | undefined;

/** @peculiar/x509, imported once when first needed (it installs a Reflect polyfill). */
export function loadX509(): Promise<X509Module> {
  x509 ??= import('reflect-metadata').then(() => import('@peculiar/x509'));
  return x509;
}

/** A workload's SPIFFE identity: trust domain, namespace and service account. */
export interface WorkloadIdentity {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

export function spiffeId(id: WorkloadIdentity): string {
  return `spiffe://${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/** The identity in an Istio-style SPIFFE ID, or undefined for any other URI. */
export function parseSpiffeId(uri: string): WorkloadIdentity | undefined {
  const m = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(uri);
  return m ? { trustDomain: m[1]!, namespace: m[2]!, serviceAccount: m[3]! } : undefined;
}

/** What `shoal proxy-config secret` and the logs show of a certificate. */
export interface CertificateSummary {
  readonly serialNumber: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly uriSans: readonly string[];
  readonly dnsSans: readonly string[];
  readonly isCa: boolean;
}

/** node:crypto's `subjectAltName` text (`URI:a, DNS:b, IP Address:c`) as lists by type. */
export function sanEntries(subjectAltName: string | undefined): {
  uri: string[];
  dns: string[];
  ip: string[];
} {
  const out = { uri: [] as string[], dns: [] as string[], ip: [] as string[] };
  // Values with a comma are quoted by node (JSON string syntax); plain ones are not.
  for (const m of (subjectAltName ?? '').matchAll(
    /(URI|DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g,
  )) {
    const value = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    if (m[1] === 'URI') out.uri.push(value);
    else if (m[1] === 'DNS') out.dns.push(value);
    else out.ip.push(value);
  }
  return out;
}

export function summarize(cert: X509Certificate): CertificateSummary {
  const sans = sanEntries(cert.subjectAltName);
  return {
    serialNumber: cert.serialNumber.toLowerCase(),
    subject: cert.subject,
    issuer: cert.issuer,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    uriSans: sans.uri,
    dnsSans: sans.dns,
    isCa: cert.ca,
  };
}

/** Every certificate in a PEM bundle, in order. Throws naming `what` when there is none. */
export function parsePemChain(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${what}: no PEM certificate found`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new Error(`${what}: certificate ${i + 1} is not valid: ${(err as Error).message}`);
    }
  });
}
