// What SotW and delta ADS sessions share: the node from the first request, the lease of a
// self-registering client, the per-client status with its ACK/NACK/sent bookkeeping, the
// resources to send (with make-before-break clusters), and a pull-based send loop. Types to send
// are marked dirty; responses are computed when the stream can take one, in make-before-break
// order (CDS, EDS, LDS, RDS), so a slow client gets the latest snapshot and never a backlog.
// Envoy: xDS protocol (ADS, "eventual consistency considerations").

import { Code, RpcError } from '@shoal/rpc';
import { CLUSTER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from '@shoal/xds';
import { type BuiltResource, setVersion } from '../translate/built-resource.js';
import type { NodeLike, ProxyNode } from '../translate/proxy-node.js';
import { proxyNodeOf } from '../translate/proxy-node.js';
import type { Subscription } from '../translate/translator.js';
import {
  type ClientStatus,
  clientHeader,
  emptyTypeStatus,
  syncState,
  type TypeStatus,
} from './client-status.js';
import { withReferencedClusters } from './referenced-clusters.js';
import type { SnapshotCache } from './snapshot-cache.js';
import { PUSH_ORDER, SHORT_TYPES } from './type-names.js';

/** Called when a client's stream starts; the returned function is called when it ends. */
export type LeaseHandler = (node: ProxyNode, peer: string) => (() => void) | undefined;

export interface SessionOptions {
  cache: SnapshotCache;
  streamId: number;
  peer: string;
  lease?: LeaseHandler;
  onClose?: () => void;
}

/** A NACK's error_detail: google.rpc.Status. */
interface ErrorDetail {
  code: number;
  message: string;
}

/** `St` is the per-type state of one protocol: a subscription plus what it tracks to answer it. */
export abstract class SessionBase<Res, St extends Subscription = Subscription> {
  protected readonly cache: SnapshotCache;
  /** Per subscribed type URL. */
  protected readonly types = new Map<string, St>();
  #node: ProxyNode | undefined;
  #status: ClientStatus | undefined;
  readonly #dirty = new Set<string>();
  #wake: (() => void) | undefined;
  #closed = false;
  #error: unknown;
  #release: (() => void) | undefined;
  #unwatch: (() => void) | undefined;
  #nonce = 0;

  constructor(
    protected readonly options: SessionOptions,
    readonly protocol: 'sotw' | 'delta',
  ) {
    this.cache = options.cache;
  }

  get node(): ProxyNode | undefined {
    return this.#node;
  }

  get status(): ClientStatus | undefined {
    return this.#status;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Reads the node from the first request; later requests may omit it. */
  protected nodeFrom(node: NodeLike | undefined): ProxyNode {
    if (this.#node) return this.#node;
    if (!node || node.id === '') {
      throw new RpcError(Code.INVALID_ARGUMENT, 'the first request of an ADS stream must carry node.id');
    }
    const proxy = proxyNodeOf(node);
    this.#node = proxy;
    this.#status = clientHeader(this.options.streamId, this.protocol, this.options.peer, proxy);
    this.#release = this.options.lease?.(proxy, this.options.peer);
    this.#unwatch = this.cache.watch({ onUpdate: () => this.onUpdate() });
    return proxy;
  }

  protected typeStatus(typeUrl: string): TypeStatus {
    const status = this.#status;
    const short = SHORT_TYPES[typeUrl];
    if (!status || !short) throw new Error(`no status for ${typeUrl}`);
    let t = status.types[short];
    if (!t) {
      t = emptyTypeStatus(typeUrl);
      status.types[short] = t;
    }
    return t;
  }

  protected refreshState(t: TypeStatus): void {
    t.state = syncState(t);
  }

  protected nextNonce(): string {
    return String(++this.#nonce);
  }

  /** The version_info of a response: the snapshot's version and the hash of the set sent. */
  protected responseVersion(setHash: string): string {
    return `${this.cache.version}-${setHash.slice(0, 8)}`;
  }

  protected recordSubscription(status: TypeStatus, st: St): void {
    status.wildcard = st.wildcard;
    status.subscribed = [...st.names].sort();
  }

  protected recordAck(typeUrl: string, status: TypeStatus, version: string): void {
    status.ackedVersion = version;
    status.ackedAt = new Date().toISOString();
    // Routes ACKed: clusters kept only for the old routes can go now.
    if (typeUrl === ROUTE_CONFIGURATION_TYPE_URL && this.types.get(CLUSTER_TYPE_URL)?.wildcard) {
      this.markDirty(CLUSTER_TYPE_URL);
    }
    this.refreshState(status);
  }

  protected recordNack(status: TypeStatus, version: string, nonce: string, error: ErrorDetail): void {
    status.lastNack = {
      version,
      nonce,
      message: error.message,
      code: error.code,
      at: new Date().toISOString(),
    };
    this.refreshState(status);
  }

  protected recordSent(typeUrl: string, version: string, nonce: string, names: string[]): void {
    const status = this.typeStatus(typeUrl);
    status.sentVersion = version;
    status.sentNonce = nonce;
    status.sentAt = new Date().toISOString();
    status.sentNames = names;
    this.refreshState(status);
  }

  /**
   * What the client should hold of one type, with the set's hash. A wildcard CDS set also keeps
   * the clusters that routes the client may still hold point at (make-before-break).
   */
  protected desiredResources(
    typeUrl: string,
    st: St,
    node: ProxyNode,
  ): { resources: ReadonlyMap<string, BuiltResource>; hash: string } {
    const set = this.cache.translator.resourceSet(typeUrl, st, node);
    if (typeUrl !== CLUSTER_TYPE_URL || !st.wildcard) return { resources: set.resources, hash: set.version };
    const kept = withReferencedClusters(set.resources, this.routesClientMayHold(), this.clustersGiven(st));
    if (kept.size === set.resources.size) return { resources: set.resources, hash: set.version };
    return { resources: kept, hash: setVersion(kept.values()) };
  }

  /** RouteConfigurations the client holds, or may hold until it answers a push. */
  protected abstract routesClientMayHold(): Iterable<BuiltResource>;

  /** The clusters last given to the client (`st` is the CDS state). */
  protected abstract clustersGiven(st: St): ReadonlyMap<string, BuiltResource>;

  /** A new snapshot: every type the client watches may have changed. */
  protected onUpdate(): void {
    for (const typeUrl of this.types.keys()) this.markDirty(typeUrl);
  }

  /** For config dumps: type URL → resources the client was sent (SotW) or holds (delta). */
  abstract clientResources(): Map<string, ReadonlyMap<string, BuiltResource>>;

  /** The response for one type, or undefined when the client is already up to date. */
  protected abstract respond(typeUrl: string): Res | undefined;

  protected markDirty(typeUrl: string): void {
    this.#dirty.add(typeUrl);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** The next response to send; undefined once the session is closed. */
  async next(): Promise<Res | undefined> {
    for (;;) {
      if (this.#error) throw this.#error;
      if (this.#closed) return undefined;
      for (const typeUrl of PUSH_ORDER) {
        if (!this.#dirty.delete(typeUrl)) continue;
        const res = this.respond(typeUrl);
        if (res) return res;
      }
      if (this.#dirty.size > 0) continue;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Ends the session; with an error, the stream ends with it. */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    if (error) this.#error = error;
    this.#unwatch?.();
    this.#release?.();
    this.options.onClose?.();
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
