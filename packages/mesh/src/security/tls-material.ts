// The certificate material a TLS context names (gRFC A29: an identity and a root certificate
// provider instance from the bootstrap), read from its providers, with a node:tls context made
// once per material. Shared by the client (UpstreamTlsContext) and server (DownstreamTlsContext).

import tls from 'node:tls';
import { Code, RpcError } from '@shoal/rpc/client';
import type {
  CertificateMaterial,
  CertificateProvider,
  CertificateProviders,
  XdsTlsContext,
} from '@shoal/xds/plugins';

export interface TlsParts {
  /** PEM chain and key: ours. */
  readonly cert?: string;
  readonly key?: string;
  /** PEM roots the peer is verified against. */
  readonly ca?: string;
}

export class TlsMaterial {
  private readonly identityValue: CertificateProvider | undefined;
  private readonly roots: CertificateProvider | undefined;
  private cached:
    | {
        identity?: CertificateMaterial;
        roots?: CertificateMaterial;
        parts: TlsParts;
        context?: tls.SecureContext;
      }
    | undefined;

  /** Throws FAILED_PRECONDITION when the context names an instance the bootstrap lacks. */
  constructor(
    readonly context: XdsTlsContext,
    providers: CertificateProviders,
  ) {
    this.identityValue =
      context.identityCertificate && providers.get(context.identityCertificate.instanceName);
    this.roots = context.rootCertificate && providers.get(context.rootCertificate.instanceName);
  }

  /** The providers, for watching rotations. */
  get providers(): CertificateProvider[] {
    return [this.identityValue, this.roots].filter((p) => p !== undefined);
  }

  /** Resolves when every named provider has material (or rejects after timeoutMs). */
  async ready(timeoutMs: number): Promise<void> {
    await Promise.all(this.providers.map((p) => p.ready(timeoutMs)));
  }

  get isReady(): boolean {
    return this.providers.every((p) => p.current() !== undefined);
  }

  /** The current PEM parts; throws UNAVAILABLE naming the provider that has none. */
  parts(): TlsParts {
    return this.current().parts;
  }

  /** A node:tls context of the current parts (made once per material). */
  secureContext(): tls.SecureContext {
    const current = this.current();
    current.context ??= tls.createSecureContext({ ...current.parts });
    return current.context;
  }

  /** The workload certificate in use, for logs and status. */
  get identity(): CertificateMaterial['identity'] {
    return this.identityValue?.current()?.identity;
  }

  private current() {
    const identity = this.identityValue?.current();
    const roots = this.roots?.current();
    const c = this.cached;
    if (c && c.identity === identity && c.roots === roots) return c;
    for (const [provider, material] of [
      [this.identityValue, identity],
      [this.roots, roots],
    ] as const) {
      if (provider && !material)
        throw new RpcError(
          Code.UNAVAILABLE,
          `no certificate yet from certificate provider ${JSON.stringify(provider.instanceName)} (${provider.pluginName})${provider.lastError ? `: ${provider.lastError}` : ''}`,
        );
    }
    const parts: TlsParts = {
      ...(identity?.certChain && { cert: identity.certChain, key: identity.privateKey }),
      ...(roots?.roots && { ca: roots.roots }),
    };
    this.cached = { ...(identity && { identity }), ...(roots && { roots }), parts };
    return this.cached;
  }
}

/** A key equal for equal TLS contexts: connections with equal keys can share a pool. */
export function tlsContextKey(c: XdsTlsContext): string {
  return JSON.stringify([
    c.identityCertificate?.instanceName,
    c.identityCertificate?.certificateName,
    c.rootCertificate?.instanceName,
    c.rootCertificate?.certificateName,
    c.sanMatchers,
    c.requireClientCertificate,
  ]);
}
