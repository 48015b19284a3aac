// The snapshot cache: holds the current snapshot, hands it out, and tells the watchers (the ADS
// sessions) when a new one is set. It builds nothing: ControlPlane builds each snapshot from the
// translator and sets it here.
// go-control-plane: pkg/cache/v3 SnapshotCache (SetSnapshot, then the open watches are answered).

import type { SnapshotSource, SnapshotWatcher } from '../xds-server/snapshot-source.js';
import { Snapshot } from './snapshot.js';

export class SnapshotCache implements SnapshotSource {
  private snapshotValue: Snapshot;
  private readonly watchers = new Set<SnapshotWatcher>();

  constructor(initial: Snapshot = Snapshot.empty()) {
    this.snapshotValue = initial;
  }

  get snapshot(): Snapshot {
    return this.snapshotValue;
  }

  get version(): string {
    return this.snapshotValue.version;
  }

  /** Installs a new snapshot and tells every watcher. */
  setSnapshot(snapshot: Snapshot): void {
    this.snapshotValue = snapshot;
    for (const watcher of this.watchers) watcher.onUpdate();
  }

  watch(watcher: SnapshotWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.unwatch(watcher);
  }

  unwatch(watcher: SnapshotWatcher): void {
    this.watchers.delete(watcher);
  }

  get watcherCount(): number {
    return this.watchers.size;
  }
}
