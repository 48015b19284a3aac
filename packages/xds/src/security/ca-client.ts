// The client side of Istio's CA API: istio.v1.auth.IstioCertificateService/CreateCertificate,
// a CSR and a bearer token in, the PEM chain out (Istio: security/pkg/nodeagent/caclient).

import { createClient, Metadata, RpcError, type Transport } from '@shoal/rpc/client';
import { IstioCertificateService } from '../gen/istio/v1/auth/ca_pb.js';

export interface CertificateRequest {
  readonly csr: string;
  /** Sent as `authorization: Bearer <token>` (Istio's agent sends its JWT the same way). */
  readonly token?: string;
  /** Requested lifetime; the CA may shorten it. */
  readonly validitySeconds?: number;
  /** Request metadata (the node id, so `shoal proxy-config secret` can find the certificate). */
  readonly metadata?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Asks the CA to sign; resolves with the chain (leaf first, root last). Rejects with the CA's RpcError. */
export async function createCertificate(
  transport: Transport,
  request: CertificateRequest,
): Promise<string[]> {
  const client = createClient(IstioCertificateService, transport);
  const headers = new Metadata();
  if (request.token) headers.set('authorization', `Bearer ${request.token}`);
  try {
    const response = await client.createCertificate(
      {
        csr: request.csr,
        validityDuration: BigInt(Math.round(request.validitySeconds ?? 0)),
        ...(request.metadata && { metadata: { ...request.metadata } }),
      },
      { headers, timeoutMs: request.timeoutMs ?? 10_000, ...(request.signal && { signal: request.signal }) },
    );
    return response.certChain;
  } catch (err) {
    const e = RpcError.from(err);
    throw new RpcError(e.code, `certificate request to the CA failed: ${e.rawMessage}`);
  }
}
