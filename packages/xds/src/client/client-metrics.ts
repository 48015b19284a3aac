// What the xDS client tells a metrics plug-in (gRFC A78's XdsClient metrics), without knowing of
// one: counts as they happen, and the two gauges (server connectivity, resources by cache state)
// read from the client when a collector asks. @shoal/telemetry turns these into the A78
// instruments `grpc.xds_client.*`.

/** A78's cache states of a resource. */
export type XdsCacheState = 'requested' | 'does_not_exist' | 'acked' | 'nacked' | 'nacked_but_cached';

/** One row of the `grpc.xds_client.resources` gauge. */
export interface XdsResourceCount {
  /** The xdstp authority, or `#old` for other names (A78). */
  readonly authority: string;
  readonly typeUrl: string;
  readonly cacheState: XdsCacheState;
  readonly count: number;
}

/** One row of the `grpc.xds_client.connected` gauge. */
export interface XdsServerConnection {
  readonly server: string;
  readonly connected: boolean;
}

/** What the client reads its gauges from (the XdsClient itself). */
export interface XdsClientGauges {
  serverConnections(): XdsServerConnection[];
  resourceCounts(): XdsResourceCount[];
}

/** Set as XdsClientOptions.metrics. */
export interface XdsClientMetrics {
  /** A response from `server` carried `valid` and `invalid` resources of `typeUrl` (changed or not). */
  resourceUpdates(server: string, typeUrl: string, valid: number, invalid: number): void;
  /** `server` went from healthy to unhealthy: no connection, or a stream ended without a response (A57). */
  serverFailure(server: string): void;
  /** Called once by the client it is given to; the returned function is called when it closes. */
  attach?(client: XdsClientGauges): () => void;
}
