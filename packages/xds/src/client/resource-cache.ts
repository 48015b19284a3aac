// The xDS client's resource cache: per type and name, the last good value and raw resource, its
// version and status (the states of Envoy admin.v3.ClientResourceStatus that CSDS reports, gRFC A40),
// the last failed update, and the watchers. It lives in the client, not in a stream, so values
// survive disconnects.
import type { Any } from '@bufbuild/protobuf/wkt';
import type { RpcError } from '@shoal/rpc/client';
import type { XdsStream } from './reconnecting-stream.js';

/** gRFC A40 / Envoy admin.v3.ClientResourceStatus, as plain strings. */
export type XdsResourceStatus = 'requested' | 'does-not-exist' | 'acked' | 'nacked';

/** Why the latest update of a resource was rejected (Envoy admin.v3.UpdateFailureState). */
export interface XdsUpdateFailure {
  readonly details: string;
  /** The version of the rejected response. */
  readonly version: string;
  readonly at: Date;
  /** The rejected resource, when it could be read. */
  readonly raw?: Any;
}

/** One watcher of one resource. Callbacks run one at a time, in order, on the client's queue. */
export interface XdsWatcher<T> {
  /** A new value (never called twice in a row with an equal one). */
  onUpdate(value: T): void | Promise<void>;
  /**
   * A NACKed update or a connection problem. The last good value stays valid: keep using it.
   */
  onError(error: RpcError): void | Promise<void>;
  /** The resource does not exist (timer expired, or deleted from a state-of-the-world response). */
  onDoesNotExist(): void | Promise<void>;
}

/** A watcher as registered; `active` turns false on cancel so queued callbacks are skipped. */
export interface WatchRegistration {
  readonly watcher: XdsWatcher<unknown>;
  active: boolean;
}

/** A cache entry (internal; CSDS and tests read it through XdsResourceSnapshot). */
export interface CacheEntry {
  readonly typeUrl: string;
  readonly name: string;
  readonly stream: XdsStream;
  readonly watchers: Set<WatchRegistration>;
  status: XdsResourceStatus;
  hasValue: boolean;
  value: unknown;
  raw: Any | undefined;
  /** Version of the current value: the SotW response's, or the delta resource's own. */
  version: string;
  lastUpdated: Date | undefined;
  failure: XdsUpdateFailure | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** What the client knows of one resource, for CSDS and debugging. */
export interface XdsResourceSnapshot {
  readonly typeUrl: string;
  readonly name: string;
  /** `xds_servers[].server_uri` of the server it is requested from. */
  readonly serverUri: string;
  readonly status: XdsResourceStatus;
  readonly version: string;
  readonly lastUpdated?: Date;
  /** The last good resource as received (kept on NACK). */
  readonly raw?: Any;
  readonly failure?: XdsUpdateFailure;
}

export class ResourceCache {
  private readonly byType = new Map<string, Map<string, CacheEntry>>();

  get(typeUrl: string, name: string): CacheEntry | undefined {
    return this.byType.get(typeUrl)?.get(name);
  }

  create(typeUrl: string, name: string, stream: XdsStream): CacheEntry {
    let names = this.byType.get(typeUrl);
    if (!names) this.byType.set(typeUrl, (names = new Map()));
    const entry: CacheEntry = {
      typeUrl,
      name,
      stream,
      watchers: new Set(),
      status: 'requested',
      hasValue: false,
      value: undefined,
      raw: undefined,
      version: '',
      lastUpdated: undefined,
      failure: undefined,
      timer: undefined,
    };
    names.set(name, entry);
    return entry;
  }

  delete(entry: CacheEntry): void {
    clearTimeout(entry.timer);
    const names = this.byType.get(entry.typeUrl);
    names?.delete(entry.name);
    if (names?.size === 0) this.byType.delete(entry.typeUrl);
  }

  *entries(): Generator<CacheEntry> {
    for (const names of this.byType.values()) yield* names.values();
  }

  snapshot(entry: CacheEntry): XdsResourceSnapshot {
    return {
      typeUrl: entry.typeUrl,
      name: entry.name,
      serverUri: entry.stream.server.serverUri,
      status: entry.status,
      version: entry.version,
      ...(entry.lastUpdated && { lastUpdated: entry.lastUpdated }),
      ...(entry.raw && { raw: entry.raw }),
      ...(entry.failure && { failure: entry.failure }),
    };
  }
}
