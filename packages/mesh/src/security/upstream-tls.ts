// The client side of gRFC A29: a cluster's UpstreamTlsContext turned into TLS options for each new
// connection to its endpoints. The certificate and roots come from the bootstrap's certificate
// providers and are read per connection, so a rotation applies from the next connection and
// never fails a call in flight. The server is verified against the provider's roots, then its
// SANs against the validation context's match_subject_alt_names (any SAN may match; none listed
// accepts any certificate from those roots), instead of a host name.
// Envoy: extensions.transport_sockets.tls.v3.UpstreamTlsContext, CertificateValidationContext.

import type { PeerCertificate } from 'node:tls';
import { type ClientTlsOptions, Code, RpcError } from '@shoal/rpc/client';
import {
  type CertificateProviders,
  sanEntries,
  stringMatcherPredicate,
  type XdsStringMatcher,
  type XdsTlsContext,
} from '@shoal/xds/client';
import { TlsMaterial, tlsContextKey } from './tls-material.js';

export class UpstreamTls {
  readonly key: string;
  readonly material: TlsMaterial;
  readonly #matchers: readonly ((value: string) => boolean)[];

  constructor(
    readonly context: XdsTlsContext,
    providers: CertificateProviders,
  ) {
    this.key = tlsContextKey(context);
    this.material = new TlsMaterial(context, providers);
    this.#matchers = context.sanMatchers.map(stringMatcherPredicate);
  }

  /** Options for one new connection; throws UNAVAILABLE while a provider has no certificate. */
  options(): ClientTlsOptions {
    return {
      secureContext: this.material.secureContext(),
      checkServerIdentity: (_host, cert) => this.#checkSans(cert),
    };
  }

  #checkSans(cert: PeerCertificate): Error | undefined {
    if (this.#matchers.length === 0) return undefined;
    const sans = sanEntries(cert.subjectaltname);
    const values = [...sans.uri, ...sans.dns, ...sans.ip];
    if (values.some((v) => this.#matchers.some((m) => m(v)))) return undefined;
    return new Error(
      `the server's certificate SANs [${cert.subjectaltname ?? 'none'}] match none of the cluster's match_subject_alt_names [${this.context.sanMatchers.map(describeMatcher).join(', ')}]`,
    );
  }
}

function describeMatcher(m: XdsStringMatcher): string {
  return JSON.stringify(m).replace(/"/g, '');
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
