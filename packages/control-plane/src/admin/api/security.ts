// The admin API's identity endpoints (ADMIN-API.md, "Identity"): the CA's tokens
// (`shoal token create|list|revoke`), its root (`shoal ca root`) and the certificate a client
// holds (`shoal proxy-config secret`).

import type { WorkloadIdentity } from '@shoal/xds/plugins';
import type { TokenRecord } from '../../ca/token-store.js';

export type { TokenRecord, WorkloadIdentity };

/** A certificate as the admin API shows it (no PEM). */
export interface CertificateView {
  serialNumber: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  uriSans: readonly string[];
  dnsSans: readonly string[];
}

/** `POST /api/tokens` (a write): 200, with the token, shown this once. */
export interface TokenCreatedAnswer extends TokenRecord {
  token: string;
}

/** `GET /api/tokens`: 200, never a token's secret. */
export interface TokenListAnswer {
  items: TokenRecord[];
}

/** `DELETE /api/tokens/ID` (a write): 200 (404 when there is no such token). */
export interface TokenRevokedAnswer {
  revoked: string;
}

/** `GET /api/ca/root`: 200 (`?output=pem`: the PEM alone); 503 before the CA is ready. */
export interface CaRootAnswer extends CertificateView {
  trustDomain: string;
  /** Where the root comes from: created in the data dir, or an Istio-style `--ca-dir`. */
  source: string;
  /** The root certificate, PEM. */
  root: string;
}

/** `GET /debug/secrets?proxy=NODE_ID`: 200 (404 when the client is unknown to the CA and ADS). */
export interface SecretsAnswer {
  proxy: string;
  trustDomain: string;
  root: CertificateView;
  /** The newest certificate the CA issued to this node id. */
  certificate?: CertificateView & {
    identity: WorkloadIdentity;
    /** How the caller proved its identity: `token <id>` or `certificate <serial>`. */
    authenticatedBy: string;
    issuedAt: string;
  };
}
