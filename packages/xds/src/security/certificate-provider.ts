// gRFC A29's certificate provider: a plug-in that keeps a workload's certificate, key and roots
// current and tells its watchers each time they change. Consumers (the mesh's TLS) read the
// latest material when a connection is made, so a rotation reaches new connections at once and
// never touches calls in flight.

import { createPrivateKey, type X509Certificate } from 'node:crypto';
import { type CertificateSummary, parsePemChain, summarize } from './x509.js';

/** What a provider holds: the identity (chain and key) and the roots to verify peers with. */
export interface CertificateMaterial {
  /** PEM: the workload certificate, then its intermediates. */
  readonly certChain?: string;
  /** PEM private key of the first certificate of `certChain`. */
  readonly privateKey?: string;
  /** PEM roots peers are verified against. */
  readonly roots?: string;
  /** The workload certificate, read. */
  readonly identity?: CertificateSummary;
  /** The roots, read. */
  readonly rootSummaries: readonly CertificateSummary[];
}

export interface CertificateProvider {
  /** The bootstrap instance name (`default`) and its plug-in (`file_watcher`). */
  readonly instanceName: string;
  readonly pluginName: string;
  /** The latest material, or undefined before the first. */
  current(): CertificateMaterial | undefined;
  /** Called with each new material (not with the one already current); returns an unsubscribe. */
  watch(listener: (material: CertificateMaterial) => void): () => void;
  /** Resolves with the first material; rejects with the provider's last error after timeoutMs. */
  ready(timeoutMs?: number): Promise<CertificateMaterial>;
  /** Why the provider has no (fresh) material, when it has failed. */
  readonly lastError: string | undefined;
  close(): void;
}

/** Checks a chain, key and roots belong together and reads them; throws saying what is wrong. */
export function certificateMaterial(
  parts: { certChain?: string; privateKey?: string; roots?: string },
  where: string,
): CertificateMaterial {
  let identity: CertificateSummary | undefined;
  if (parts.certChain !== undefined || parts.privateKey !== undefined) {
    if (!parts.certChain || !parts.privateKey)
      throw new Error(`${where}: a certificate needs its private key (got only one of them)`);
    const [leaf] = parsePemChain(parts.certChain, `${where} certificate`) as [X509Certificate];
    let key: ReturnType<typeof createPrivateKey>;
    try {
      key = createPrivateKey(parts.privateKey);
    } catch (err) {
      throw new Error(`${where}: the private key is not valid: ${(err as Error).message}`);
    }
    if (!leaf.checkPrivateKey(key))
      throw new Error(`${where}: the private key does not belong to the certificate (mid-rotation?)`);
    identity = summarize(leaf);
  }
  const rootSummaries = parts.roots ? parsePemChain(parts.roots, `${where} roots`).map(summarize) : [];
  return { ...parts, ...(identity && { identity }), rootSummaries };
}

/** Watchers, first-material waiters and the last error, for providers to extend. */
export abstract class ProviderBase implements CertificateProvider {
  #material: CertificateMaterial | undefined;
  readonly #listeners = new Set<(m: CertificateMaterial) => void>();
  readonly #waiters = new Set<{ resolve: (m: CertificateMaterial) => void }>();
  #error: string | undefined;
  protected closed = false;

  constructor(
    readonly instanceName: string,
    readonly pluginName: string,
  ) {}

  current(): CertificateMaterial | undefined {
    return this.#material;
  }

  get lastError(): string | undefined {
    return this.#error;
  }

  watch(listener: (material: CertificateMaterial) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  ready(timeoutMs = 10_000): Promise<CertificateMaterial> {
    if (this.#material) return Promise.resolve(this.#material);
    return new Promise((resolve, reject) => {
      const waiter = { resolve };
      this.#waiters.add(waiter);
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `certificate provider ${JSON.stringify(this.instanceName)} (${this.pluginName}) has no certificate after ${timeoutMs} ms${this.#error ? `: ${this.#error}` : ''}`,
          ),
        );
      }, timeoutMs);
      waiter.resolve = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
    });
  }

  close(): void {
    this.closed = true;
    this.#listeners.clear();
  }

  /** Publishes new material to watchers and waiters. */
  protected publish(material: CertificateMaterial): void {
    this.#material = material;
    this.#error = undefined;
    for (const w of [...this.#waiters]) w.resolve(material);
    this.#waiters.clear();
    for (const l of [...this.#listeners]) l(material);
  }

  protected fail(message: string): void {
    this.#error = message;
  }
}

/** True when two materials carry the same certificate, key and roots. */
export function sameMaterial(a: CertificateMaterial | undefined, b: CertificateMaterial): boolean {
  return a?.certChain === b.certChain && a?.privateKey === b.privateKey && a?.roots === b.roots;
}
