// One simulated proxyless client on a state-of-the-world ADS stream, as gRPC's xDS client walks a
// target: LDS for `host:port`, then the RouteConfiguration its listener names, then the clusters
// the routes reference, then their endpoints (EDS service name or the cluster name). Every
// response is ACKed. A stream that resumes an earlier one's subscriptions sends every type's
// names at once with its last accepted version, as @shoal/xds and gRPC's xDS client do on a new
// stream after a reconnect. Arrival times of RouteConfigurations are kept, raw, for the push benchmark:
// decoding waits until the measurement ends, so one slow decode never delays another stream's clock.
// Envoy: xDS protocol (SotW, ACK/NACK); gRFC A27 (resource walk).

import { create } from '@bufbuild/protobuf';
import type { Client } from '@shoal/rpc';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  envoy,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  type XdsRouteConfiguration,
} from '@shoal/xds';
import {
  decodeCluster,
  decodeListener,
  decodeRouteConfiguration,
  referencedClusters,
} from '@shoal/xds/plugins';
import { wallMs } from './ipc.js';

type Ads = Client<typeof envoy.AggregatedDiscoveryService>;

/** What a stream was subscribed to, by type URL: names and the last version it accepted. */
export type Subscriptions = Map<string, { names: string[]; version: string }>;

/** The order a resource walk subscribes in, and the types a synced stream has had. */
const WALK = [
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  CLUSTER_TYPE_URL,
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
];

/** An async iterable of requests the stream reads as they are pushed. */
class RequestQueue implements AsyncIterable<envoy.DiscoveryRequest> {
  private readonly items: envoy.DiscoveryRequest[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(item: envoy.DiscoveryRequest): void {
    this.items.push(item);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<envoy.DiscoveryRequest> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}

export interface RouteArrival {
  at: number;
  response: envoy.DiscoveryResponse;
}

export class SimStream {
  private readonly requests = new RequestQueue();
  private readonly abort = new AbortController();
  private readonly names = new Map<string, string[]>();
  /** The version of each type's last response, ACKed. */
  private readonly versions = new Map<string, string>();
  /** Types answered on this stream; it is synced once every type of the walk has been. */
  private readonly answered = new Set<string>();
  private nodeSent = false;
  private syncedValue: () => void = () => {};
  private failed: (err: unknown) => void = () => {};
  /** Resolves once this stream has had listener, route, clusters and endpoints. */
  readonly synced: Promise<void>;
  /** RouteConfiguration responses received since the last take(). */
  routes: RouteArrival[] = [];
  error: unknown;
  onRoute: (() => void) | undefined;

  constructor(
    private readonly ads: Ads,
    private readonly nodeId: string,
    private readonly listener: string,
    /** An earlier stream's subscriptions, asked for again at once. */
    private readonly resume?: Subscriptions,
  ) {
    this.synced = new Promise((resolve, reject) => {
      this.syncedValue = resolve;
      this.failed = reject;
    });
    this.synced.catch(() => {}); // the error is also kept in `error`
  }

  /**
   * Opens the stream and subscribes to the listener (or to everything `resume` holds); responses
   * are handled as they come.
   */
  start(): Promise<void> {
    if (this.resume) {
      for (const typeUrl of WALK) {
        const sub = this.resume.get(typeUrl);
        if (!sub) continue;
        this.names.set(typeUrl, sub.names);
        this.request(typeUrl, sub.names, sub.version);
      }
    } else this.subscribe(LISTENER_TYPE_URL, [this.listener]);
    return (async () => {
      try {
        for await (const res of this.ads.streamAggregatedResources(this.requests, {
          signal: this.abort.signal,
        }))
          this.receive(res);
        if (!this.abort.signal.aborted) throw new Error('the control plane ended the stream');
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.error = err;
        this.failed(err);
      }
    })();
  }

  close(): void {
    this.requests.end();
    this.abort.abort();
  }

  /** What this stream is subscribed to, with the versions it accepted: for the next stream. */
  subscriptions(): Subscriptions {
    const out: Subscriptions = new Map();
    for (const [typeUrl, names] of this.names)
      out.set(typeUrl, { names, version: this.versions.get(typeUrl) ?? '' });
    return out;
  }

  /** A request for `names`; with `version` alone the last accepted one, with `ack` an ACK of it. */
  private request(typeUrl: string, names: string[], version = '', ack?: envoy.DiscoveryResponse): void {
    this.requests.push(
      create(envoy.DiscoveryRequestSchema, {
        typeUrl,
        resourceNames: names,
        versionInfo: ack?.versionInfo ?? version,
        responseNonce: ack?.nonce ?? '',
        ...(this.nodeSent ? {} : { node: { id: this.nodeId, metadata: nodeMetadata() } }),
      }),
    );
    this.nodeSent = true;
  }

  private subscribe(typeUrl: string, names: string[]): void {
    const current = this.names.get(typeUrl);
    if (current && current.length === names.length && current.every((n, i) => n === names[i])) return;
    this.names.set(typeUrl, names);
    this.request(typeUrl, names);
  }

  private receive(res: envoy.DiscoveryResponse): void {
    const at = wallMs();
    this.request(res.typeUrl, this.names.get(res.typeUrl) ?? [], undefined, res);
    this.versions.set(res.typeUrl, res.versionInfo);
    this.answered.add(res.typeUrl);
    if (this.answered.size === WALK.length) this.syncedValue();
    switch (res.typeUrl) {
      case LISTENER_TYPE_URL: {
        const any = res.resources[0];
        const l = any && decodeListener(any);
        if (!l?.ok || l.value.kind !== 'client' || l.value.http.route.kind !== 'rds')
          throw new Error(`listener ${this.listener}: not a client listener with RDS`);
        this.subscribe(ROUTE_CONFIGURATION_TYPE_URL, [l.value.http.route.routeConfigName]);
        return;
      }
      case ROUTE_CONFIGURATION_TYPE_URL: {
        if (this.names.has(CLUSTER_TYPE_URL)) {
          this.routes.push({ at, response: res });
          this.onRoute?.();
          return;
        }
        const rc = decodeRoute(res);
        this.subscribe(CLUSTER_TYPE_URL, [...referencedClusters(rc)].sort());
        return;
      }
      case CLUSTER_TYPE_URL: {
        const eds = res.resources.map((any) => {
          const c = decodeCluster(any);
          if (!c.ok) throw new Error(`cluster rejected: ${c.errors.join('; ')}`);
          return c.value.discovery.type === 'eds' ? c.value.discovery.serviceName || c.name : c.name;
        });
        this.subscribe(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, eds.sort());
        return;
      }
    }
  }
}

/** The one RouteConfiguration of a response, decoded and validated as a client would. */
export function decodeRoute(res: envoy.DiscoveryResponse): XdsRouteConfiguration {
  const any = res.resources[0];
  const r = any && decodeRouteConfiguration(any);
  if (!r?.ok) throw new Error(`route configuration rejected: ${r ? r.errors.join('; ') : 'none sent'}`);
  return r.value;
}

/** Cluster weights of the first route, by subset (the third part of `outbound|port|subset|host`). */
export function routeWeights(rc: XdsRouteConfiguration): Record<string, number> {
  const action = rc.virtualHosts[0]?.routes[0]?.action;
  const out: Record<string, number> = {};
  if (action?.kind === 'route')
    for (const c of action.clusters) out[c.name.split('|')[2] ?? c.name] = c.weight;
  return out;
}

function nodeMetadata() {
  return { NAMESPACE: 'default' };
}
