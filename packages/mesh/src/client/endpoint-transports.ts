// How a transport's calls reach the endpoints it picks: one rpc Transport per endpoint address, a
// GrpcTransport on the shared SessionPool unless the options say otherwise, made on first use and
// closed once no cluster of the config has that endpoint (calls in flight keep theirs).

import { GrpcTransport, type GrpcTransportOptions, type Transport } from '@shoal/rpc/client';
import type { SessionPool } from '@shoal/rpc/plugins';
import type { MeshEndpoint } from '../lb/endpoint.js';

export interface EndpointTransportOptions {
  readonly pool: SessionPool;
  /** Sent as `:authority` to every endpoint: the target's. */
  readonly authority: string;
  readonly grpc: Omit<GrpcTransportOptions, 'address' | 'pool' | 'authority'> | undefined;
  readonly make: ((address: string, authority: string) => Transport) | undefined;
}

export class EndpointTransports {
  private readonly transports = new Map<string, Transport>();

  constructor(private readonly options: EndpointTransportOptions) {}

  get(ep: MeshEndpoint): Transport {
    let t = this.transports.get(ep.key);
    if (t === undefined) {
      const { authority, make, grpc, pool } = this.options;
      t = make?.(ep.key, authority) ?? new GrpcTransport({ ...grpc, address: ep.key, pool, authority });
      this.transports.set(ep.key, t);
    }
    return t;
  }

  /** Closes the transports of endpoints not in `live` (keys). */
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
  }
}
