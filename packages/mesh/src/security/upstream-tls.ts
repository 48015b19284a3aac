// The client side of gRFC A29: a cluster's UpstreamTlsContext turned into TLS options for each new
// connection to its endpoints. The certificate and roots come from the bootstrap's certificate
// providers and are read per connection, so a rotation applies from the next connection and
// never fails a call in flight. The server is verified against the provider's roots, then its
// SANs against the validation context's match_subject_alt_names (any SAN may match; none listed
// accepts any certificate from those roots), instead of a host name.
// Envoy: extensions.transport_sockets.tls.v3.UpstreamTlsContext, CertificateValidationContext.

import type { PeerCertificate } from 'node:tls';
import type { ClientTlsOptions } from '@shoal/rpc/client';
import {
  type CertificateProviders,
  sanEntries,
  stringMatcherPredicate,
  type XdsStringMatcher,
  type XdsTlsContext,
} from '@shoal/xds/plugins';
import { TlsMaterial, tlsContextKey } from './tls-material.js';

export class UpstreamTls {
  readonly key: string;
  readonly material: TlsMaterial;
  private readonly matchers: readonly ((value: string) => boolean)[];

  constructor(
    readonly context: XdsTlsContext,
    providers: CertificateProviders,
  ) {
    this.key = tlsContextKey(context);
    this.material = new TlsMaterial(context, providers);
    this.matchers = context.sanMatchers.map(stringMatcherPredicate);
  }

  /** Options for one new connection; throws UNAVAILABLE while a provider has no certificate. */
  options(): ClientTlsOptions {
    return {
      secureContext: this.material.secureContext(),
      checkServerIdentity: (_host, cert) => this.checkSans(cert),
    };
  }

  private checkSans(cert: PeerCertificate): Error | undefined {
    if (this.matchers.length === 0) return undefined;
    const sans = sanEntries(cert.subjectaltname);
    const values = [...sans.uri, ...sans.dns, ...sans.ip];
    if (values.some((v) => this.matchers.some((m) => m(v)))) return undefined;
    return new Error(
      `the server's certificate SANs [${cert.subjectaltname ?? 'none'}] match none of the cluster's match_subject_alt_names [${this.context.sanMatchers.map(describeMatcher).join(', ')}]`,
    );
  }
}

function describeMatcher(m: XdsStringMatcher): string {
  return JSON.stringify(m).replace(/"/g, '');
}
