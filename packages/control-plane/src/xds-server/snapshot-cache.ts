// The snapshot cache: the current translation of config + registry, and the client sessions that
// follow it. Each update makes one new Translator (one consistent view); every session then
// recomputes its own snapshot from it, per type and per subscription, and pushes what changed.
// go-control-plane: SnapshotCache (one snapshot per node, versions per type).

import type { MeshInput } from '../translate/mesh-input.js';
import { Translator } from '../translate/translator.js';

export interface SnapshotWatcher {
  /** Called after each update; the watcher reads `cache.translator` when it next sends. */
  onUpdate(): void;
}

export class SnapshotCache {
  #translator: Translator;
  readonly #watchers = new Set<SnapshotWatcher>();

  constructor(
    initial: MeshInput = {
      version: '0',
      services: [],
      endpoints: [],
      virtualServices: [],
      destinationRules: [],
    },
  ) {
    this.#translator = new Translator(initial);
  }

  get translator(): Translator {
    return this.#translator;
  }

  get version(): string {
    return this.#translator.version;
  }

  /** Installs a new view and tells every session. */
  update(input: MeshInput): void {
    this.#translator = new Translator(input);
    for (const watcher of this.#watchers) watcher.onUpdate();
  }

  watch(watcher: SnapshotWatcher): () => void {
    this.#watchers.add(watcher);
    return () => {
      this.#watchers.delete(watcher);
    };
  }

  get watcherCount(): number {
    return this.#watchers.size;
  }
}
