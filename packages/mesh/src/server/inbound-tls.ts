// The transport security of an xDS-enabled server's port (gRFC A29, server side): which
// connections it takes, from the filter chains it serves (inbound-chains.ts). A chain's
// DownstreamTlsContext makes its connections TLS with the identity provider's certificate (with
// require_client_certificate, mutual TLS); a TLS-matching chain beside a plaintext one serves both
// on the port (Istio's PERMISSIVE). A plaintext connection where only TLS is taken has its calls
// refused saying why. The policy is read per new connection, so a rotated certificate applies
// from the next connection and never fails a call in flight.
// Envoy: extensions.transport_sockets.tls.v3.DownstreamTlsContext.

import type { ConnectionPolicy } from '@shoal/rpc';
import type { CertificateProviders, XdsTlsContext } from '@shoal/xds/plugins';
import { DownstreamTls } from '../security/downstream-tls.js';
import { tlsContextKey } from '../security/tls-material.js';

/** The TLS of the chains being served, kept per context so an unchanged one keeps its certificates. */
export class InboundTls {
  private current = new Map<string, DownstreamTls>();

  constructor(private readonly providers: () => CertificateProviders) {}

  /**
   * The DownstreamTls of each context of a new Listener (an equal context keeps its instance);
   * throws FAILED_PRECONDITION when one names an instance the bootstrap lacks. Call `keep` with
   * the result once the Listener is served.
   */
  resolve(contexts: readonly (XdsTlsContext | undefined)[]): Map<string, DownstreamTls> {
    const next = new Map<string, DownstreamTls>();
    for (const context of contexts) {
      if (context === undefined) continue;
      const key = tlsContextKey(context);
      if (!next.has(key))
        next.set(key, this.current.get(key) ?? new DownstreamTls(context, this.providers()));
    }
    return next;
  }

  keep(resolved: Map<string, DownstreamTls>): void {
    this.current = resolved;
  }
}

/** What a new connection may be, given the TLS of the plaintext chain and of the TLS chain. */
export function connectionPolicy(chains: {
  readonly plaintext?: { tls: DownstreamTls | undefined };
  readonly tls?: { tls: DownstreamTls | undefined };
}): ConnectionPolicy {
  const plaintextChain = chains.plaintext;
  const tlsChain = chains.tls ?? (plaintextChain?.tls ? plaintextChain : undefined);
  const plaintext = plaintextChain !== undefined && plaintextChain.tls === undefined;
  const tls = tlsChain?.tls;
  if (tls === undefined) return { plaintext };
  try {
    return { plaintext, tls: tls.policy(), plaintextRefusal: requiresTls(tls) };
  } catch (err) {
    return { plaintext, plaintextRefusal: `${requiresTls(tls)}, and ${(err as Error).message}` };
  }
}

/** Why a plaintext connection is refused where a chain requires TLS. */
function requiresTls(tls: DownstreamTls): string {
  return tls.context.requireClientCertificate
    ? "the inbound listener requires mutual TLS (its DownstreamTlsContext sets require_client_certificate, as PeerAuthentication STRICT makes it); call it with the mesh's certificates (an UpstreamTlsContext, or XdsChannelCredentials)"
    : 'the inbound listener requires TLS (its filter chain has a DownstreamTlsContext)';
}
