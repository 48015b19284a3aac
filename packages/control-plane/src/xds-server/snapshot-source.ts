// What the ADS server needs from a snapshot cache: the snapshot to serve now, and a call when a
// new one is installed. The server depends on this alone, not on how snapshots are built or kept.
// go-control-plane: pkg/cache/v3 Cache (ConfigWatcher and ConfigFetcher), which its server takes.

import type { BuiltResource } from '../translate/built-resource.js';
import type { ProxyNode } from './proxy-node.js';
import type { Subscription } from './subscription.js';

/** The resources of one subscription, with the version of the set (equal versions, equal sets). */
export interface ResourceSet {
  readonly resources: ReadonlyMap<string, BuiltResource>;
  readonly version: string;
}

/** What a session reads from a snapshot. */
export interface ServedSnapshot {
  readonly version: string;
  /** What `node` should hold of one type for its subscription (absent names left out). Never modify it. */
  resources(typeUrl: string, subscription: Subscription, node: ProxyNode): ResourceSet;
  /** The version_info of a response: the snapshot's version and the hash of the set sent. */
  responseVersion(setHash: string): string;
}

export interface SnapshotWatcher {
  /** Called after a new snapshot is installed; the watcher reads it when it next sends. */
  onUpdate(): void;
}

/** What the ADS server needs from the snapshot cache. */
export interface SnapshotSource {
  readonly snapshot: ServedSnapshot;
  watch(watcher: SnapshotWatcher): void;
  unwatch(watcher: SnapshotWatcher): void;
}
