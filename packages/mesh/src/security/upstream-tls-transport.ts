// The transport of one endpoint of a cluster with an UpstreamTlsContext (gRFC A29): a GrpcTransport
// on the context's pool, whose first calls wait (within their deadline) for the certificate
// providers' first certificate, and whose failed handshakes are said in the mesh's words (an
// untrusted root, a SAN the cluster does not accept, a server that does not speak TLS).
// Envoy: extensions.transport_sockets.tls.v3.UpstreamTlsContext.

import {
  type CallOptions,
  type CallRequest,
  type CallResponse,
  Code,
  RpcError,
  type Transport,
} from '@shoal/rpc/client';
import type { UpstreamTls } from './upstream-tls.js';

/** How long a call without a deadline waits for the first workload certificate. */
const FIRST_CERTIFICATE_WAIT_MS = 10_000;

export class UpstreamTlsTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly tls: UpstreamTls,
    private readonly endpoint: string,
    private readonly cluster: string,
  ) {}

  call(request: CallRequest, options: CallOptions): Promise<CallResponse> {
    const material = this.tls.material;
    const sent = material.isReady
      ? this.inner.call(request, options)
      : material.ready(request.timeoutMs ?? FIRST_CERTIFICATE_WAIT_MS).then(
          () => this.inner.call(request, options),
          (err: Error) => Promise.reject(new RpcError(Code.UNAVAILABLE, err.message)),
        );
    return sent.catch((err: unknown) => {
      throw explainTlsFailure(RpcError.from(err, Code.UNAVAILABLE), this.endpoint, this.cluster);
    });
  }

  close(): void {
    this.inner.close();
  }
}

/** Node's certificate verification codes, said as a mesh user needs to read them. */
const VERIFY_ERRORS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is not signed by the mesh root",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is not signed by the mesh root",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chains to a root this client does not trust",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed, not from the mesh root",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
};

/** A failed connection to a TLS cluster, with what went wrong in the mesh's words. */
export function explainTlsFailure(err: RpcError, endpoint: string, cluster: string): RpcError {
  const cause = err.cause as NodeJS.ErrnoException | undefined;
  const code = cause?.code ?? '';
  const known = VERIFY_ERRORS[code];
  if (known)
    return new RpcError(
      Code.UNAVAILABLE,
      `mTLS to ${endpoint} (cluster ${JSON.stringify(cluster)}): ${known} (${code})`,
      { cause: err },
    );
  if (/match none of the cluster's match_subject_alt_names/.test(err.rawMessage))
    return new RpcError(
      Code.UNAVAILABLE,
      `mTLS to ${endpoint} (cluster ${JSON.stringify(cluster)}): ${err.rawMessage.replace(/^[^:]*:\d+: /, '')}`,
      { cause: err },
    );
  if (/wrong version number|packet length too long|ECONNRESET/.test(err.rawMessage) && code !== 'ECONNRESET')
    return new RpcError(
      Code.UNAVAILABLE,
      `mTLS to ${endpoint} (cluster ${JSON.stringify(cluster)}) failed: the server does not speak TLS (${err.rawMessage})`,
      { cause: err },
    );
  return err;
}
