// The snapshot cache: the current translation of config + registry, and the client sessions that
// follow it. Each update makes one new Translator (one consistent view); every session then
// recomputes its own snapshot from it, per type and per subscription, and pushes what changed.
// go-control-plane: SnapshotCache (one snapshot per node, versions per type).

import type { MeshInput } from '../translate/mesh-input.js';
import { type TranslationFailure, Translator } from '../translate/translator.js';

export interface SnapshotWatcher {
  /** Called after each update; the watcher reads `cache.translator` when it next sends. */
  onUpdate(): void;
}

const EMPTY: MeshInput = {
  version: '0',
  services: [],
  endpoints: [],
  virtualServices: [],
  destinationRules: [],
};

/** Distinct subscriptions remembered for sharing before the table starts over. */
const MAX_SHARED_NAME_SETS = 4096;

export interface SnapshotCacheOptions {
  /** Told about each resource that could not be built (it is left out). */
  onFailure?: (failure: TranslationFailure) => void;
}

export class SnapshotCache {
  #translator: Translator;
  readonly #watchers = new Set<SnapshotWatcher>();
  readonly #onFailure: ((failure: TranslationFailure) => void) | undefined;
  /** Set hash → response version_info for the current view: one string shared by every stream. */
  #responseVersions = new Map<string, string>();
  /** Sorted names → one Set of them, shared by every stream subscribed to exactly those. */
  #sharedNames = new Map<string, ReadonlySet<string>>();

  constructor(initial: MeshInput = EMPTY, options: SnapshotCacheOptions = {}) {
    this.#onFailure = options.onFailure;
    this.#translator = this.#translate(initial);
  }

  #translate(input: MeshInput): Translator {
    return new Translator(input, this.#onFailure ? { onFailure: this.#onFailure } : {});
  }

  get translator(): Translator {
    return this.#translator;
  }

  get version(): string {
    return this.#translator.version;
  }

  /** Installs a new view and tells every session. */
  update(input: MeshInput): void {
    this.#translator = this.#translate(input);
    this.#responseVersions = new Map();
    for (const watcher of this.#watchers) watcher.onUpdate();
  }

  /**
   * The version_info of a response: the snapshot's version and the hash of the set sent.
   * @internal for the ADS sessions
   */
  responseVersion(setHash: string): string {
    let version = this.#responseVersions.get(setHash);
    if (version === undefined) {
      version = `${this.version}-${setHash.slice(0, 8)}`;
      this.#responseVersions.set(setHash, version);
    }
    return version;
  }

  /**
   * One Set per distinct subscription, shared by the streams that name the same resources
   * (thousands of clients of one service subscribe alike). Callers must never modify it. The
   * table only grows with distinct subscriptions; it starts over past a bound, so names that no
   * stream uses any more do not pile up (the streams keep the Sets they have).
   * @internal for the ADS sessions
   */
  sharedNames(names: Set<string>): ReadonlySet<string> {
    const key = [...names].sort().join('\u0000');
    const shared = this.#sharedNames.get(key);
    if (shared) return shared;
    if (this.#sharedNames.size >= MAX_SHARED_NAME_SETS) this.#sharedNames = new Map();
    this.#sharedNames.set(key, names);
    return names;
  }

  watch(watcher: SnapshotWatcher): () => void {
    this.#watchers.add(watcher);
    return () => this.unwatch(watcher);
  }

  unwatch(watcher: SnapshotWatcher): void {
    this.#watchers.delete(watcher);
  }

  get watcherCount(): number {
    return this.#watchers.size;
  }
}
