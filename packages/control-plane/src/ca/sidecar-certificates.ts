// The workload certificates of Envoy sidecars, which the control plane serves them by SDS over
// their ADS stream (`default`, and the root as `ROOTCA`): the job Istio's agent does beside each
// Envoy (a key of its own per proxy, a CSR signed by the CA, renewal before expiry), done here
// for a sidecar with no agent. The identity is the node's own (metadata NAMESPACE and
// SERVICE_ACCOUNT, `default` when absent, as a pod without one runs as), and a certificate is
// issued only when the stream proved that identity by the CA's rule (caller-identity.ts): a token
// from `shoal token create` in its authorization header, or a workload certificate over mutual
// TLS. Renewed at half its lifetime (Istio's SECRET_GRACE_PERIOD_RATIO default), after checking
// the proof again (a revoked token gets no more); each new one is pushed to the node's streams;
// forgotten when the node's last stream ends.
// Istio: security/pkg/nodeagent/cache (SecretManagerClient: generateNewSecret, rotateTime),
// pilot/pkg/model (NodeMetadata SERVICE_ACCOUNT), security/pkg/server/ca (CreateCertificate).

import { createWorkloadKey, spiffeId, type WorkloadIdentity } from '@shoal/xds/plugins';
import type { WorkloadCertificate } from '../translate/sidecar/sidecar-secrets.js';
import type { ProxyNode } from '../xds-server/proxy-node.js';
import { authenticateCaller, type CallerCredentials, type ProvenIdentity } from './caller-identity.js';
import type { CertificateAuthority } from './certificate-authority.js';
import type { IssuedCertificates } from './issued-certificates.js';
import type { TokenStore } from './token-store.js';

export interface SidecarCertificatesOptions {
  /** The CA, once it exists. */
  readonly ca: () => CertificateAuthority | undefined;
  readonly tokens: TokenStore;
  /** Where each issued certificate is recorded (`shoal proxy-config secret`). */
  readonly issued?: IssuedCertificates;
  /** A node's certificate changed (issued, renewed, or dropped): push its secrets. */
  readonly onChange: (nodeId: string) => void;
  readonly log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
  /** Part of a certificate's lifetime after which it is renewed (default 0.5). */
  readonly renewAt?: number;
}

interface Entry {
  streams: number;
  readonly identity: WorkloadIdentity;
  readonly credentials: CallerCredentials;
  certificate?: WorkloadCertificate;
  timer?: NodeJS.Timeout;
  closed: boolean;
}

const RETRY_MS = 5000;
/** setTimeout's longest delay. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class SidecarCertificates {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: SidecarCertificatesOptions) {}

  /** The node's current certificate, or undefined (none yet, or none may be issued to it). */
  get(nodeId: string): WorkloadCertificate | undefined {
    return this.entries.get(nodeId)?.certificate;
  }

  /**
   * A sidecar's stream started: issue its certificate (asynchronously) if the stream proved the
   * node's identity. Returns what to call when the stream ends, and whether this stream proved it
   * (only such streams may be sent the certificate: another stream may claim the same node id).
   */
  attach(node: ProxyNode, credentials: CallerCredentials): { release: () => void; proven: boolean } {
    const refused = { release: () => {}, proven: false };
    const ca = this.options.ca();
    if (!ca) return refused;
    const claimed: WorkloadIdentity = {
      trustDomain: ca.trustDomain,
      namespace: node.namespace,
      serviceAccount: serviceAccountOf(node),
    };
    const proof = this.check(claimed, credentials, ca.trustDomain);
    if (typeof proof === 'string') {
      this.options.log?.('warn', 'sidecar gets no workload certificate (SDS default)', {
        node: node.id,
        identity: spiffeId(claimed),
        reason: proof,
      });
      return refused;
    }
    const existing = this.entries.get(node.id);
    if (existing) {
      // The node's other stream proved an identity too; this one shares its certificate only
      // if it proved the same.
      if (spiffeId(existing.identity) !== spiffeId(claimed)) return refused;
      existing.streams++;
      return { release: () => this.detach(node.id, existing), proven: true };
    }
    const entry: Entry = { streams: 1, identity: claimed, credentials, closed: false };
    this.entries.set(node.id, entry);
    void this.issue(node.id, entry, proof);
    return { release: () => this.detach(node.id, entry), proven: true };
  }

  /** Stops every renewal. */
  close(): void {
    for (const [id, entry] of this.entries) this.detach(id, entry, true);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The proof, or why the stream proved no right to `claimed`. */
  private check(
    claimed: WorkloadIdentity,
    credentials: CallerCredentials,
    trustDomain: string,
  ): ProvenIdentity | string {
    let proven: ProvenIdentity;
    try {
      proven = authenticateCaller(credentials, this.options.tokens, trustDomain);
    } catch (err) {
      return (err as Error).message;
    }
    const cert = credentials.peerCertificate;
    if (!credentials.authorization && cert && Date.parse(cert.validTo) <= Date.now())
      return `the stream's client certificate expired at ${new Date(cert.validTo).toISOString()}`;
    const got = spiffeId(proven.identity);
    if (got !== spiffeId(claimed))
      return `the stream proved ${got} (${proven.by}), not the node's ${spiffeId(claimed)} (metadata NAMESPACE and SERVICE_ACCOUNT)`;
    return proven;
  }

  private async issue(nodeId: string, entry: Entry, proof: ProvenIdentity): Promise<void> {
    const ca = this.options.ca();
    if (entry.closed || !ca) return;
    let delay = RETRY_MS;
    try {
      const key = await createWorkloadKey(spiffeId(entry.identity));
      const { chain, summary } = await ca.signCsr(key.csr, entry.identity);
      if (entry.closed) return;
      entry.certificate = {
        certificateChain: chain.slice(0, -1).join(''),
        privateKey: key.privateKey,
        rootCertificates: chain.at(-1)!,
        serial: summary.serialNumber,
      };
      this.options.issued?.record({
        nodeId,
        identity: entry.identity,
        authenticatedBy: proof.by,
        certificate: summary,
        issuedAt: new Date().toISOString(),
      });
      this.options.log?.('info', 'sidecar certificate issued', {
        node: nodeId,
        identity: spiffeId(entry.identity),
        by: proof.by,
        serial: summary.serialNumber,
        notAfter: summary.notAfter.toISOString(),
      });
      this.options.onChange(nodeId);
      const left = summary.notAfter.getTime() - Date.now();
      delay = Math.min(Math.max(left * (this.options.renewAt ?? 0.5), 0), MAX_DELAY_MS);
    } catch (err) {
      this.options.log?.('warn', 'sidecar certificate not issued; retrying', {
        node: nodeId,
        identity: spiffeId(entry.identity),
        error: (err as Error).message,
      });
    }
    if (entry.closed) return;
    entry.timer = setTimeout(() => this.renew(nodeId, entry), delay);
    entry.timer.unref();
  }

  private renew(nodeId: string, entry: Entry): void {
    const ca = this.options.ca();
    if (entry.closed || !ca) return;
    const proof = this.check(entry.identity, entry.credentials, ca.trustDomain);
    if (typeof proof === 'string') {
      // The proof no longer holds (a revoked or expired token): no new certificate, and the
      // current one is withdrawn rather than served until it expires.
      this.options.log?.('warn', 'sidecar certificate not renewed', { node: nodeId, reason: proof });
      entry.certificate = undefined;
      this.options.onChange(nodeId);
      return;
    }
    void this.issue(nodeId, entry, proof);
  }

  private detach(nodeId: string, entry: Entry, all = false): void {
    entry.streams = all ? 0 : entry.streams - 1;
    if (entry.streams > 0 || entry.closed) return;
    entry.closed = true;
    clearTimeout(entry.timer);
    if (this.entries.get(nodeId) === entry) this.entries.delete(nodeId);
  }
}

/** istiod's SERVICE_ACCOUNT node metadata; a workload without one runs as `default`. */
function serviceAccountOf(node: ProxyNode): string {
  const sa = node.metadata.SERVICE_ACCOUNT;
  return typeof sa === 'string' && sa !== '' ? sa : 'default';
}
