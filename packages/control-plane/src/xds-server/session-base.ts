// What SotW and delta ADS sessions share: the node from the first request, the lease of a
// self-registering client, the per-client status with its ACK/NACK/sent bookkeeping, the
// resources to send (with make-before-break clusters), and a pull-based send loop. Types to send
// are marked dirty; responses are computed when the stream can take one, in make-before-break
// order (CDS, EDS, LDS, RDS), so a slow client gets the latest snapshot and never a backlog.
// A control plane holds thousands of these at once, so an idle session is kept small: the status
// is built when read, and the send loop waits on one promise rather than async-function frames.
// Envoy: xDS protocol (ADS, "eventual consistency considerations").

import type { X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Code, RpcError } from '@shoal/rpc';
import { CLUSTER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from '@shoal/xds';
import { SECRET_TYPE_URL } from '@shoal/xds/plugins';
import { type BuiltResource, setVersion } from '../translate/built-resource.js';
import {
  type ClientStatus,
  clientStatus,
  type TypeRecord,
  type TypeStatus,
  typeStatus,
} from './client-status.js';
import type { NodeLike, ProxyNode } from './proxy-node.js';
import { proxyNodeOf } from './proxy-node.js';
import { withReferencedClusters } from './referenced-clusters.js';
import type { SnapshotSource, SnapshotWatcher } from './snapshot-source.js';
import type { SharedNameSets, Subscription } from './subscription.js';
import { PUSH_ORDER, SHORT_TYPES } from './type-names.js';
import type { XdsServerMetrics } from './xds-server-metrics.js';

/** Who opened a stream: its address, and what it presented to prove its identity. */
export interface StreamCaller {
  /** `ip:port`. */
  readonly peer: string;
  /** The client certificate the xDS port verified (mutual TLS), if any. */
  readonly peerCertificate?: X509Certificate | undefined;
  /** The stream's `authorization` header (a token from `shoal token create`), if any. */
  readonly authorization?: string | undefined;
  /** A SecretDiscoveryService stream (Envoy's `sds-grpc`): secrets only, and no registration. */
  readonly secretsOnly?: boolean;
}

/** What a stream's start gives: what to call when it ends, and whether it may get secrets. */
export interface StreamLease {
  readonly release?: () => void;
  /**
   * The stream proved the identity the node's secrets are for. Other streams, even with the same
   * node id, are answered an empty SDS set: a node id alone proves nothing.
   */
  readonly secrets?: boolean;
}

/**
 * Called when a client's stream starts; the lease's release is called when it ends. Throwing
 * (an RpcError) ends the stream with that status.
 */
export type LeaseHandler = (node: ProxyNode, caller: StreamCaller) => StreamLease | undefined;

/** What every session of one ADS server shares (one object, so a session holds one reference). */
export interface SessionServer {
  readonly cache: SnapshotSource;
  /** Where streams with equal subscriptions get one Set of names. */
  readonly names: SharedNameSets;
  readonly lease?: LeaseHandler;
  /** Called once when a session ends. */
  readonly onClose?: (session: LiveSession) => void;
  /** Told of pushes, NACKs and convergence (pilot_* metrics). */
  readonly metrics?: XdsServerMetrics;
}

export interface SessionOptions extends StreamCaller {
  server: SessionServer;
  streamId: number;
  /**
   * Responses carry resources encoded once for every stream (encoded-resources.ts); only for the
   * binary codec, since JSON is written from the known fields alone.
   */
  encodedResources?: boolean;
}

/** What the ADS server asks of a session, whatever its protocol and response type. */
export interface LiveSession {
  readonly status: ClientStatus | undefined;
  /** The client's node, once its first request arrived. */
  readonly node: ProxyNode | undefined;
  /** The client's address, `ip:port`. */
  readonly peer: string;
  readonly closed: boolean;
  close(error?: unknown): void;
  clientResources(): Map<string, ReadonlyMap<string, BuiltResource>>;
  /** Resources of one type changed for this client alone (its SDS secrets): answer it again. */
  resourcesChanged(typeUrl: string): void;
}

/** A NACK's error_detail: google.rpc.Status. */
interface ErrorDetail {
  code: number;
  message: string;
}

/** Per-type state of a session: the subscription and what the status reports about the type. */
export interface TypeState extends Subscription, TypeRecord {}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });
/** The SDS answer to a stream that did not prove the node's identity. */
const NO_SECRETS = Object.freeze({ resources: new Map<string, BuiltResource>(), hash: setVersion([]) });

/**
 * `St` is the per-type state of one protocol. The session is the stream's response iterator:
 * `next()` resolves with the next response, or done once the session is closed.
 */
export abstract class SessionBase<Res, St extends TypeState = TypeState>
  implements SnapshotWatcher, LiveSession, AsyncIterableIterator<Res>
{
  /** Per subscribed type URL. */
  protected readonly types = new Map<string, St>();
  private nodeValue: ProxyNode | undefined;
  private connectedAt = 0;
  /** Types to answer: bit i is PUSH_ORDER[i]. */
  private dirty = 0;
  /** Resolves the pending `next()` (with the promise of the response computed then). */
  private wake: ((next: Promise<IteratorResult<Res>>) => void) | undefined;
  private closedValue = false;
  private error: unknown;
  private release: (() => void) | undefined;
  /** May be sent the node's SDS secrets (see StreamLease.secrets). */
  private secretsAllowed = false;
  private nonce = 0;
  /** When the snapshot whose changes are still being sent was made (for convergence time). */
  private updateAt: number | undefined;

  constructor(
    protected readonly options: SessionOptions,
    readonly protocol: 'sotw' | 'delta',
  ) {}

  protected get cache(): SnapshotSource {
    return this.options.server.cache;
  }

  get node(): ProxyNode | undefined {
    return this.nodeValue;
  }

  /** The client's status, built now from the session's state; undefined before its first request. */
  get status(): ClientStatus | undefined {
    const node = this.nodeValue;
    if (!node) return undefined;
    const types: Partial<Record<string, TypeStatus>> = {};
    for (const [typeUrl, st] of this.types) {
      const short = SHORT_TYPES[typeUrl];
      if (short) types[short] = typeStatus(typeUrl, st, st, this.sentNames(st));
    }
    const { streamId, peer, peerCertificate } = this.options;
    return clientStatus(streamId, this.protocol, peer, this.connectedAt, node, types, peerCertificate);
  }

  get closed(): boolean {
    return this.closedValue;
  }

  get peer(): string {
    return this.options.peer;
  }

  /** Reads the node from the first request; later requests may omit it. */
  protected nodeFrom(node: NodeLike | undefined): ProxyNode {
    if (this.nodeValue) return this.nodeValue;
    if (!node || node.id === '') {
      throw new RpcError(Code.INVALID_ARGUMENT, 'the first request of an ADS stream must carry node.id');
    }
    const proxy = proxyNodeOf(node);
    this.nodeValue = proxy;
    this.connectedAt = Date.now();
    const lease = this.options.server.lease?.(proxy, this.options);
    this.release = lease?.release;
    this.secretsAllowed = lease?.secrets === true;
    this.cache.watch(this);
    return proxy;
  }

  /** Whether this stream answers requests of a type (SDS streams: secrets only). */
  protected serves(typeUrl: string): boolean {
    return SHORT_TYPES[typeUrl] !== undefined && (!this.options.secretsOnly || typeUrl === SECRET_TYPE_URL);
  }

  protected nextNonce(): string {
    return String(++this.nonce);
  }

  /** The version_info of a response: the snapshot's version and the hash of the set sent. */
  protected responseVersion(setHash: string): string {
    return this.cache.snapshot.responseVersion(setHash);
  }

  /** One Set shared by the streams subscribed to exactly `names` (never modify it). */
  protected sharedNames(names: Set<string>): ReadonlySet<string> {
    return this.options.server.names.share(names);
  }

  protected recordAck(typeUrl: string, st: St, version: string): void {
    // The client echoes the version it was sent: keep the string already held, not a copy.
    st.ackedVersion = version === st.sentVersion ? st.sentVersion : version;
    st.ackedAt = Date.now();
    // Routes ACKed: clusters kept only for the old routes can go now.
    if (typeUrl === ROUTE_CONFIGURATION_TYPE_URL && this.types.get(CLUSTER_TYPE_URL)?.wildcard) {
      this.markDirty(CLUSTER_TYPE_URL);
    }
  }

  protected recordNack(typeUrl: string, st: St, version: string, nonce: string, error: ErrorDetail): void {
    this.options.server.metrics?.rejected(typeUrl);
    st.lastNack = {
      version,
      nonce,
      message: error.message,
      code: error.code,
      at: new Date().toISOString(),
    };
  }

  protected recordSent(st: St, version: string, nonce: string): void {
    st.sentVersion = version;
    st.sentNonce = nonce;
    st.sentAt = Date.now();
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
    if (typeUrl === SECRET_TYPE_URL && !this.secretsAllowed) return NO_SECRETS;
    const set = this.cache.snapshot.resources(typeUrl, st, node);
    if (typeUrl !== CLUSTER_TYPE_URL || !st.wildcard) return { resources: set.resources, hash: set.version };
    const kept = withReferencedClusters(set.resources, this.routesClientMayHold(), this.clustersGiven(st));
    if (kept.size === set.resources.size) return { resources: set.resources, hash: set.version };
    return { resources: kept, hash: setVersion(kept.values()) };
  }

  /** RouteConfigurations the client holds, or may hold until it answers a push. */
  protected abstract routesClientMayHold(): Iterable<BuiltResource>;

  /** The clusters last given to the client (`st` is the CDS state). */
  protected abstract clustersGiven(st: St): ReadonlyMap<string, BuiltResource>;

  /** For the status: names in the last response (SotW) or held by the client (delta). */
  protected abstract sentNames(st: St): string[];

  /** A new snapshot: every type the client watches may have changed. */
  onUpdate(): void {
    if (this.options.server.metrics) this.updateAt ??= performance.now();
    for (const typeUrl of this.types.keys()) this.markDirty(typeUrl);
  }

  resourcesChanged(typeUrl: string): void {
    if (this.types.has(typeUrl)) this.markDirty(typeUrl);
  }

  /** For config dumps: type URL → resources the client was sent (SotW) or holds (delta). */
  abstract clientResources(): Map<string, ReadonlyMap<string, BuiltResource>>;

  /** The response for one type, or undefined when the client is already up to date. */
  protected abstract respond(typeUrl: string): Res | undefined;

  protected markDirty(typeUrl: string): void {
    const i = PUSH_ORDER.indexOf(typeUrl);
    if (i < 0) return;
    this.dirty |= 1 << i;
    this.wakeUp();
  }

  /**
   * Answers a waiting `next()`. On a later microtask: the caller may mark more types dirty in
   * the same turn (a snapshot update marks all), and they must go out in push order.
   */
  private wakeUp(): void {
    const wake = this.wake;
    if (!wake) return;
    this.wake = undefined;
    queueMicrotask(() => wake(this.next()));
  }

  /** The next response to send; done once the session is closed, rejected with its error. */
  next(): Promise<IteratorResult<Res>> {
    try {
      for (;;) {
        if (this.error) return Promise.reject(this.error);
        if (this.closedValue) return Promise.resolve(DONE);
        if (this.dirty === 0) {
          if (this.updateAt !== undefined) {
            this.options.server.metrics?.converged((performance.now() - this.updateAt) / 1000);
            this.updateAt = undefined;
          }
          return new Promise((resolve) => {
            this.wake = resolve;
          });
        }
        for (let i = 0; i < PUSH_ORDER.length; i++) {
          const bit = 1 << i;
          if ((this.dirty & bit) === 0) continue;
          this.dirty &= ~bit;
          const metrics = this.options.server.metrics;
          const started = metrics ? performance.now() : 0;
          const res = this.respond(PUSH_ORDER[i]!);
          if (res) {
            metrics?.pushed(PUSH_ORDER[i]!, (performance.now() - started) / 1000);
            return Promise.resolve({ value: res, done: false });
          }
        }
      }
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The stream stopped taking responses: the session ends. */
  return(): Promise<IteratorResult<Res>> {
    this.close();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the session; with an error, the stream ends with it. */
  close(error?: unknown): void {
    if (this.closedValue) return;
    this.closedValue = true;
    if (error) this.error = error;
    if (this.nodeValue) this.cache.unwatch(this);
    this.release?.();
    this.options.server.onClose?.(this);
    this.wakeUp();
  }
}
