// How a transport's calls reach the endpoints it picks: one rpc Transport per endpoint address, a
// GrpcTransport on the shared SessionPool unless the options say otherwise, made on first use and
// closed once no cluster of the config has that endpoint (calls in flight keep theirs). A cluster
// with an UpstreamTlsContext (gRFC A29) reaches its endpoints over mutual TLS instead: on a pool
// per TLS context whose connections take the certificate providers' current certificate
// (upstream-tls-transport.ts); those transports go by context, cluster and address.

import { GrpcTransport, type GrpcTransportOptions, type Transport } from '@shoal/rpc/client';
import { SessionPool } from '@shoal/rpc/plugins';
import type { CertificateProviders } from '@shoal/xds/plugins';
import type { MeshConfig } from '../config/mesh-config.js';
import type { MeshEndpoint } from '../lb/endpoint.js';
import { UpstreamTls } from '../security/upstream-tls.js';
import { UpstreamTlsTransport } from '../security/upstream-tls-transport.js';

export interface EndpointTransportOptions {
  readonly pool: SessionPool;
  /** Sent as `:authority` to every endpoint: the target's. */
  readonly authority: string;
  readonly grpc: Omit<GrpcTransportOptions, 'address' | 'pool' | 'authority'> | undefined;
  /** Plaintext endpoints' transports; clusters with TLS always get GrpcTransports with it. */
  readonly make: ((address: string, authority: string) => Transport) | undefined;
  /** False: clusters' TLS contexts are ignored (plaintext, A29's fallback credentials). */
  readonly xdsCredentials: boolean;
  /** The bootstrap's certificate providers, asked for on the first cluster with TLS. */
  readonly providers: () => CertificateProviders;
}

export class EndpointTransports {
  private readonly transports = new Map<string, Transport>();
  /** Per cluster of the current config: its TLS, or why its TLS context cannot be used. */
  private tls = new Map<string, UpstreamTls | string>();
  private readonly tlsPools = new Map<string, SessionPool>();

  constructor(private readonly options: EndpointTransportOptions) {}

  /**
   * Takes a new snapshot's clusters' TLS contexts. An equal context keeps its instance and pool;
   * one naming an instance the bootstrap lacks makes the cluster refuse calls with why.
   */
  update(config: MeshConfig): void {
    const next = new Map<string, UpstreamTls | string>();
    if (this.options.xdsCredentials) {
      const byKey = new Map<string, UpstreamTls>();
      for (const t of this.tls.values()) if (typeof t !== 'string') byKey.set(t.key, t);
      for (const [name, c] of config.clusters) {
        const context = c.status === 'ok' ? c.cluster.tls : undefined;
        if (!context) continue;
        try {
          const candidate = new UpstreamTls(context, this.options.providers());
          next.set(name, byKey.get(candidate.key) ?? candidate);
        } catch (err) {
          next.set(name, `cluster ${JSON.stringify(name)}: ${(err as Error).message}`);
        }
      }
    }
    this.tls = next;
  }

  /** The cluster's TLS (undefined: plaintext), or why its calls cannot be made. */
  tlsOf(cluster: string): UpstreamTls | string | undefined {
    return this.tls.get(cluster);
  }

  /** The key of the transport of an endpoint of a cluster (see `keepOnly`). */
  keyOf(cluster: string, endpoint: string): string {
    const tls = this.tls.get(cluster);
    return typeof tls === 'object' ? transportKey(endpoint, cluster, tls) : endpoint;
  }

  /** The transport to `ep` of `cluster`, whose TLS is `tls` (its tlsOf, undefined: plaintext). */
  get(ep: MeshEndpoint, cluster: string, tls: UpstreamTls | undefined): Transport {
    const key = transportKey(ep.key, cluster, tls);
    let t = this.transports.get(key);
    if (t === undefined) {
      const { authority, make, grpc, pool } = this.options;
      if (tls === undefined)
        t = make?.(ep.key, authority) ?? new GrpcTransport({ ...grpc, address: ep.key, pool, authority });
      else {
        const inner = new GrpcTransport({
          ...grpc,
          address: ep.key,
          pool: this.tlsPool(tls),
          authority,
          tls: () => tls.options(),
        });
        t = new UpstreamTlsTransport(inner, tls, ep.key, cluster);
      }
      this.transports.set(key, t);
    }
    return t;
  }

  /** Closes the transports whose keys are not in `live` (see `keyOf`). */
  keepOnly(live: ReadonlySet<string>): void {
    for (const [key, t] of this.transports) {
      if (live.has(key)) continue;
      t.close();
      this.transports.delete(key);
    }
  }

  close(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    for (const p of this.tlsPools.values()) p.close();
    this.tlsPools.clear();
  }

  private tlsPool(tls: UpstreamTls): SessionPool {
    let pool = this.tlsPools.get(tls.key);
    if (pool === undefined) {
      pool = new SessionPool({ ...this.options.grpc, tls: () => tls.options() });
      this.tlsPools.set(tls.key, pool);
    }
    return pool;
  }
}

function transportKey(endpoint: string, cluster: string, tls: UpstreamTls | undefined): string {
  return tls ? `${tls.key}|${cluster}|${endpoint}` : endpoint;
}
