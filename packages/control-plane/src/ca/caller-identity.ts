// Who a caller of the control plane proved it is, by the rule the CA signs by: a bearer token
// from `shoal token create` (its namespace and service account), else the SPIFFE identity of the
// workload certificate it presented over mutual TLS. Shared by CreateCertificate and by the SDS
// secrets of sidecars, so both sign for exactly the same callers.
// Istio: security/pkg/server/ca/authenticate (bearer token and client certificate authenticators).

import type { X509Certificate } from 'node:crypto';
import { Code, RpcError } from '@shoal/rpc';
import type { WorkloadIdentity } from '@shoal/xds/plugins';
import type { TokenStore } from './token-store.js';
import { spiffeIdentityOf } from './xds-port-tls.js';

/** What a call or an ADS stream carries to prove its identity. */
export interface CallerCredentials {
  /** The `authorization` header. */
  readonly authorization?: string | undefined;
  /** The client certificate the port verified (mutual TLS). */
  readonly peerCertificate?: X509Certificate | undefined;
}

/** An identity the caller proved, and how (`token <id>` or `certificate <serial>`). */
export interface ProvenIdentity {
  readonly identity: WorkloadIdentity;
  readonly by: string;
}

/** The caller's identity; throws RpcError UNAUTHENTICATED when it proved none, or a bad one. */
export function authenticateCaller(
  credentials: CallerCredentials,
  tokens: TokenStore,
  trustDomain: string,
): ProvenIdentity {
  const header = credentials.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new RpcError(Code.UNAUTHENTICATED, 'authorization must be "Bearer <token>"');
    const result = tokens.verify(m[1]!);
    if ('error' in result) throw new RpcError(Code.UNAUTHENTICATED, result.error);
    const { record } = result;
    return {
      identity: { trustDomain, namespace: record.namespace, serviceAccount: record.serviceAccount },
      by: `token ${record.id}`,
    };
  }
  const cert = credentials.peerCertificate;
  const identity = cert && spiffeIdentityOf(cert);
  if (identity) return { identity, by: `certificate ${cert.serialNumber.toLowerCase()}` };
  throw new RpcError(
    Code.UNAUTHENTICATED,
    'the CA needs a token from `shoal token create` (authorization: Bearer <token>), or a workload certificate over mutual TLS',
  );
}
