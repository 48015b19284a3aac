// The server side of gRFC A29: a filter chain's DownstreamTlsContext as the TLS policy of the
// connections it takes (our certificate from the identity provider; with require_client_certificate,
// client certificates verified against the root provider's roots). The policy object changes
// only when the material does, so connections between two rotations share one node:tls server.
// Envoy: extensions.transport_sockets.tls.v3.DownstreamTlsContext.

import type { TlsPolicy } from '@shoal/rpc';
import type { CertificateProviders, XdsTlsContext } from '@shoal/xds/plugins';
import { TlsMaterial, type TlsParts } from './tls-material.js';

export class DownstreamTls {
  readonly material: TlsMaterial;
  private policyValue: { parts: TlsParts; policy: TlsPolicy } | undefined;

  /** Throws FAILED_PRECONDITION when the context names an instance the bootstrap lacks. */
  constructor(
    readonly context: XdsTlsContext,
    providers: CertificateProviders,
  ) {
    this.material = new TlsMaterial(context, providers);
  }

  /** The policy for a new connection; throws UNAVAILABLE while a provider has no certificate. */
  policy(): TlsPolicy {
    const parts = this.material.parts();
    if (this.policyValue?.parts === parts) return this.policyValue.policy;
    const policy: TlsPolicy = {
      cert: parts.cert ?? '',
      key: parts.key ?? '',
      ...(parts.ca !== undefined && { ca: parts.ca }),
      requireCert: this.context.requireClientCertificate,
    };
    this.policyValue = { parts, policy };
    return policy;
  }
}
