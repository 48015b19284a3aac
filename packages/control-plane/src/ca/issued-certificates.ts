// What the CA signed, newest per client, for `shoal proxy-config secret CLIENT` (as istioctl
// reads a proxy's secrets): the node id comes from the request's metadata (NODE_ID), so a
// client's certificate can be found by the name proxy-status shows. Bounded: the oldest entries
// go first.

import type { CertificateSummary, WorkloadIdentity } from '@shoal/xds/plugins';

export interface IssuedRecord {
  readonly nodeId: string;
  readonly identity: WorkloadIdentity;
  /** How the caller proved its identity: `token <id>` or `certificate <serial>`. */
  readonly authenticatedBy: string;
  readonly certificate: CertificateSummary;
  readonly issuedAt: string;
}

export class IssuedCertificates {
  private readonly byNode = new Map<string, IssuedRecord>();

  constructor(private readonly limit = 10_000) {}

  record(entry: IssuedRecord): void {
    this.byNode.delete(entry.nodeId);
    this.byNode.set(entry.nodeId, entry);
    if (this.byNode.size > this.limit) this.byNode.delete(this.byNode.keys().next().value!);
  }

  get(nodeId: string): IssuedRecord | undefined {
    return this.byNode.get(nodeId);
  }

  get size(): number {
    return this.byNode.size;
  }
}
