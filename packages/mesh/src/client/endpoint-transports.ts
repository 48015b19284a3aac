// The connections of one mesh client: a GrpcTransport per endpoint, on the plaintext pool, or, for
// a cluster with an UpstreamTlsContext (gRFC A29), on a pool per TLS context whose connections
// take the certificate providers' current certificate. Internal to the mesh client.

import { GrpcTransport, type GrpcTransportOptions, SessionPool } from '@shoal/rpc/client';
import type { CertificateProviders } from '@shoal/xds/client';
import type { MeshConfig } from '../config/mesh-config.js';
import type { MeshEndpoint } from '../lb/endpoint.js';
import { UpstreamTls } from '../security/upstream-tls.js';
import type { ClusterRuntime } from './cluster-runtime.js';

export interface EndpointTransportsOptions {
  readonly grpc: Omit<GrpcTransportOptions, 'address' | 'pool' | 'authority'> | undefined;
  /** The plaintext pool; closed with these transports when `ownsPool`. */
  readonly pool: SessionPool;
  readonly ownsPool: boolean;
  readonly authority: string;
  /** False: clusters' TLS contexts are ignored (plaintext). */
  readonly xdsCredentials: boolean;
  readonly providers: () => CertificateProviders;
}

export class EndpointTransports {
  readonly #o: EndpointTransportsOptions;
  readonly #transports = new Map<string, GrpcTransport>();
  /** Per cluster with an UpstreamTlsContext. */
  #tls = new Map<string, UpstreamTls>();
  readonly #tlsPools = new Map<string, SessionPool>();

  constructor(options: EndpointTransportsOptions) {
    this.#o = options;
  }

  /** The TLS of a cluster, or undefined for plaintext. */
  tlsOf(cluster: string): UpstreamTls | undefined {
    return this.#tls.get(cluster);
  }

  /**
   * Takes a new snapshot: each cluster's TLS (an equal context keeps its instance and pool; one
   * naming an unknown provider puts its reason in `errors`), then forgets transports of endpoints
   * no cluster has any more (their calls in flight keep theirs).
   */
  update(
    config: MeshConfig,
    runtimes: ReadonlyMap<string, ClusterRuntime>,
    errors: Map<string, string>,
  ): void {
    const next = new Map<string, UpstreamTls>();
    if (this.#o.xdsCredentials) {
      const byKey = new Map([...this.#tls.values()].map((t) => [t.key, t]));
      for (const [name, c] of config.clusters) {
        const context = c.status === 'ok' ? c.cluster.tls : undefined;
        if (!context) continue;
        try {
          const candidate = new UpstreamTls(context, this.#o.providers());
          next.set(name, byKey.get(candidate.key) ?? candidate);
        } catch (err) {
          errors.set(name, `cluster ${JSON.stringify(name)}: ${(err as Error).message}`);
        }
      }
    }
    this.#tls = next;
    const live = new Set<string>();
    for (const [name, r] of runtimes) {
      const tls = next.get(name);
      for (const e of r.endpoints) live.add(tls ? `${tls.key}|${e.key}` : e.key);
    }
    for (const [key, t] of this.#transports) {
      if (live.has(key)) continue;
      t.close();
      this.#transports.delete(key);
    }
  }

  get(ep: MeshEndpoint, tls: UpstreamTls | undefined): GrpcTransport {
    const key = tls ? `${tls.key}|${ep.key}` : ep.key;
    let t = this.#transports.get(key);
    if (t === undefined) {
      t = new GrpcTransport({
        ...this.#o.grpc,
        address: ep.key,
        pool: tls ? this.#tlsPool(tls) : this.#o.pool,
        authority: this.#o.authority,
        ...(tls && { tls: () => tls.options() }),
      });
      this.#transports.set(key, t);
    }
    return t;
  }

  close(): void {
    for (const t of this.#transports.values()) t.close();
    if (this.#o.ownsPool) this.#o.pool.close();
    for (const p of this.#tlsPools.values()) p.close();
  }

  #tlsPool(tls: UpstreamTls): SessionPool {
    let pool = this.#tlsPools.get(tls.key);
    if (pool === undefined) {
      pool = new SessionPool({ ...this.#o.grpc, tls: () => tls.options() });
      this.#tlsPools.set(tls.key, pool);
    }
    return pool;
  }
}
