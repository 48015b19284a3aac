// The xDS port's own TLS: a server certificate from the control plane's CA (DNS
// istiod.istio-system.svc, as Istio's agents expect, localhost and the names given; IPs 127.0.0.1,
// ::1 and the listen address), renewed at half its 30-day lifetime, offered beside plaintext
// with client certificates asked for (so a workload may prove who it is, and need not).

import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { ConnectionPolicy } from '@shoal/rpc';
import { parseSpiffeId, sanEntries, type WorkloadIdentity } from '@shoal/xds/plugins';
import type { CertificateAuthority } from './certificate-authority.js';

const LIFETIME_SECONDS = 30 * 24 * 3600;
const RETRY_MS = 60_000;

export class XdsPortTls {
  /** What a new connection to the xDS port may be; plaintext only until the first certificate. */
  policy: ConnectionPolicy = { plaintext: true };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ca: CertificateAuthority,
    private readonly host: string,
    private readonly serverNames: readonly string[],
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Issues the first certificate (resolves once it is in use, or failed and retries later). */
  async start(): Promise<void> {
    const wildcard = this.host === '0.0.0.0' || this.host === '::';
    const names = {
      dns: ['istiod.istio-system.svc', 'localhost', ...this.serverNames],
      ips: [...new Set(['127.0.0.1', '::1', ...(isIP(this.host) && !wildcard ? [this.host] : [])])],
    };
    let next = RETRY_MS;
    try {
      const issued = await this.ca.issueServerCertificate(names, LIFETIME_SECONDS);
      const cert = issued.chain.slice(0, -1).join('');
      this.policy = {
        plaintext: true,
        tls: { cert, key: issued.privateKey, ca: this.ca.rootPem, requestCert: true },
      };
      next = Math.min((issued.summary.notAfter.getTime() - Date.now()) / 2, 2 ** 31 - 1);
    } catch (err) {
      this.onError(err);
    }
    this.timer = setTimeout(() => void this.start(), next);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** A verified client certificate's SPIFFE identity (its first Istio-style URI SAN). */
export function spiffeIdentityOf(cert: X509Certificate): WorkloadIdentity | undefined {
  for (const uri of sanEntries(cert.subjectAltName).uri) {
    const id = parseSpiffeId(uri);
    if (id) return id;
  }
  return undefined;
}
