// Who the peer of a mutual TLS connection is, as RBAC reads it (gRFC A41, Envoy's
// `authenticated.principal_name`): its URI SANs, else its DNS SANs, else its subject. Read once per
// certificate object (one per connection).

import type { X509Certificate } from 'node:crypto';
import { sanEntries } from '@shoal/xds/plugins';

export interface PeerIdentity {
  /** What principal_name matchers are applied to, in Envoy's order of preference. */
  readonly principals: readonly string[];
  /** The URI SANs (SPIFFE IDs). */
  readonly uriSans: readonly string[];
}

const cache = new WeakMap<X509Certificate, PeerIdentity>();

export function peerIdentity(cert: X509Certificate): PeerIdentity {
  let identity = cache.get(cert);
  if (identity === undefined) {
    const sans = sanEntries(cert.subjectAltName);
    const principals = sans.uri.length > 0 ? sans.uri : sans.dns.length > 0 ? sans.dns : [cert.subject];
    identity = { principals, uriSans: sans.uri };
    cache.set(cert, identity);
  }
  return identity;
}
