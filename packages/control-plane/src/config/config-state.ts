// The config every store backend holds in this process: objects by key with their owner, the
// version, and the listeners. It validates and plans an apply (what would change, nothing kept on
// any error) and installs changes with the version the backend gives them: the next number in
// memory, the revision in etcd. Listeners get one event per install, in version order.

import { canonicalJson } from './canonical-json.js';
import type { AnyConfigObject, ConfigKind } from './config-object.js';
import { objectKey } from './config-object.js';
import { ConfigRejectedError } from './config-rejected-error.js';
import type { ApplyOptions, ConfigChange, ConfigEvent, ConfigListener } from './config-store.js';
import { ConfigValidator } from './config-validator.js';
import { type LoadedConfig, loadConfigText, validateDocuments } from './load-config.js';

/** One stored object and who owns it. */
export interface StoredEntry {
  object: AnyConfigObject;
  owner: string;
}

/** What an apply writes: each key's new entry, or undefined to delete it. */
export type EntryUpdate = readonly [key: string, entry: StoredEntry | undefined];

export interface ConfigStateOptions {
  validator?: ConfigValidator;
  /** Called when a listener throws; the store carries on. Defaults to process.emitWarning. */
  onListenerError?: (err: unknown) => void;
  now?: () => Date;
}

export interface HeldEntry extends StoredEntry {
  fingerprint: string;
}

/** An install worked out but not done yet: see ConfigState.stage. */
export interface StagedChange {
  readonly version: number;
  readonly sets: [string, HeldEntry][];
  readonly deletes: string[];
  readonly changes: ConfigChange[];
}

export class ConfigState {
  readonly validator: ConfigValidator;
  readonly #entries = new Map<string, HeldEntry>();
  readonly #listeners = new Set<ConfigListener>();
  readonly #onListenerError: (err: unknown) => void;
  readonly #now: () => Date;
  readonly #pending: ConfigEvent[] = [];
  #notifying = false;
  #version = 0;

  constructor(options: ConfigStateOptions = {}) {
    this.validator = options.validator ?? new ConfigValidator();
    this.#onListenerError =
      options.onListenerError ?? ((err) => process.emitWarning(`config listener failed: ${String(err)}`));
    this.#now = options.now ?? (() => new Date());
  }

  get version(): number {
    return this.#version;
  }

  /** Parses and validates input (nothing is stored). */
  load(input: string | readonly unknown[] | LoadedConfig, options: ApplyOptions = {}): LoadedConfig {
    if (isLoaded(input)) return input;
    const common = { validator: this.validator, ...(options.source ? { source: options.source } : {}) };
    return typeof input === 'string' ? loadConfigText(input, common) : validateDocuments([...input], common);
  }

  /**
   * The entries an apply by `owner` writes: new and changed objects (generation and creation time
   * set, no resourceVersion yet), owner changes, and with `replace` the deletions of what the owner
   * no longer lists. Throws ConfigRejectedError with every issue when anything is invalid.
   */
  plan(loaded: LoadedConfig, owner: string, replace: boolean): EntryUpdate[] {
    const errors = [...loaded.errors];
    const seen = new Set<string>();
    for (const o of loaded.objects) {
      const key = objectKey(o.kind, o.metadata.namespace, o.metadata.name);
      if (seen.has(key)) {
        errors.push({
          severity: 'error',
          document: key,
          path: 'metadata.name',
          message: `Duplicate value: ${JSON.stringify(o.metadata.name)}: ${key} is defined more than once in this apply`,
        });
      }
      seen.add(key);
    }
    if (errors.length > 0) throw new ConfigRejectedError([...errors, ...loaded.warnings]);
    const updates: EntryUpdate[] = [];
    for (const o of loaded.objects) {
      const key = objectKey(o.kind, o.metadata.namespace, o.metadata.name);
      const prev = this.#entries.get(key);
      if (prev && prev.fingerprint === fingerprintOf(o)) {
        if (prev.owner !== owner) updates.push([key, { object: prev.object, owner }]);
        continue;
      }
      const { resourceVersion: _, ...metadata } = o.metadata;
      const object = {
        ...o,
        metadata: {
          ...metadata,
          generation: (prev?.object.metadata.generation ?? 0) + 1,
          creationTimestamp: prev?.object.metadata.creationTimestamp ?? this.#now().toISOString(),
        },
      } as AnyConfigObject;
      updates.push([key, { object, owner }]);
    }
    if (replace) {
      for (const [key, entry] of this.#entries) {
        if (entry.owner === owner && !seen.has(key)) updates.push([key, undefined]);
      }
    }
    return updates;
  }

  /**
   * Installs updates at `version`: changed objects get it as their resourceVersion, and listeners
   * hear of the changes in one event. An update that changes nothing but the owner is no change.
   */
  install(version: number, updates: readonly EntryUpdate[], source?: string): ConfigChange[] {
    return this.commit(this.stage(version, updates), source);
  }

  /** What installing `updates` at `version` would do, with nothing changed yet. */
  stage(version: number, updates: readonly EntryUpdate[]): StagedChange {
    const staged: StagedChange = { version, sets: [], deletes: [], changes: [] };
    for (const [key, entry] of updates) {
      const prev = this.#entries.get(key);
      if (!entry) {
        if (!prev) continue;
        staged.deletes.push(key);
        const { kind, metadata } = prev.object;
        const where = { kind, namespace: metadata.namespace, name: metadata.name };
        staged.changes.push({ type: 'deleted', ...where, previous: prev.object });
        continue;
      }
      const fingerprint = fingerprintOf(entry.object);
      if (prev && prev.fingerprint === fingerprint) {
        staged.sets.push([key, { ...prev, owner: entry.owner }]);
        continue;
      }
      const object = deepFreeze({
        ...entry.object,
        metadata: { ...entry.object.metadata, resourceVersion: String(version) },
      }) as AnyConfigObject;
      staged.sets.push([key, { object, owner: entry.owner, fingerprint }]);
      const { kind, metadata } = object;
      const where = { kind, namespace: metadata.namespace, name: metadata.name };
      staged.changes.push(
        prev
          ? { type: 'updated', ...where, object, previous: prev.object }
          : { type: 'added', ...where, object },
      );
    }
    return staged;
  }

  /** Every entry as it will be once `staged` is committed (to persist it first). */
  entriesAfter(staged: StagedChange): StoredEntry[] {
    const next = new Map<string, StoredEntry>(this.#entries);
    for (const [key, entry] of staged.sets) next.set(key, entry);
    for (const key of staged.deletes) next.delete(key);
    return [...next.values()].map(({ object, owner }) => ({ object, owner }));
  }

  /** The version the store has once `staged` is committed. */
  versionAfter(staged: StagedChange): number {
    return staged.changes.length > 0 ? Math.max(staged.version, this.#version + 1) : this.#version;
  }

  /** Installs what was staged; listeners hear of the changes with `source` (where they came from). */
  commit(staged: StagedChange, source?: string): ConfigChange[] {
    for (const [key, entry] of staged.sets) this.#entries.set(key, entry);
    for (const key of staged.deletes) this.#entries.delete(key);
    if (staged.changes.length > 0) {
      this.#version = this.versionAfter(staged);
      this.#emit({
        version: this.#version,
        changes: staged.changes,
        ...(source !== undefined && { source }),
      });
    }
    return staged.changes;
  }

  /** Replaces everything without events, before anyone listens (a backend's first load). */
  restore(version: number, entries: Iterable<StoredEntry>): void {
    this.#entries.clear();
    for (const { object, owner } of entries) {
      const key = objectKey(object.kind, object.metadata.namespace, object.metadata.name);
      this.#entries.set(key, { object: deepFreeze(object), owner, fingerprint: fingerprintOf(object) });
    }
    this.#version = version;
  }

  /** Every entry, by key (for a backend that persists or resyncs them). */
  entries(): ReadonlyMap<string, StoredEntry> {
    return this.#entries;
  }

  get<K extends ConfigKind>(
    kind: K,
    namespace: string,
    name: string,
  ): Extract<AnyConfigObject, { kind: K }> | undefined {
    return this.#entries.get(objectKey(kind, namespace, name))?.object as
      | Extract<AnyConfigObject, { kind: K }>
      | undefined;
  }

  list<K extends ConfigKind>(kind?: K, namespace?: string): Extract<AnyConfigObject, { kind: K }>[] {
    const out: AnyConfigObject[] = [];
    for (const [, entry] of [...this.#entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (kind && entry.object.kind !== kind) continue;
      if (namespace && entry.object.metadata.namespace !== namespace) continue;
      out.push(entry.object);
    }
    return out as Extract<AnyConfigObject, { kind: K }>[];
  }

  ownerOf(kind: ConfigKind, namespace: string, name: string): string | undefined {
    return this.#entries.get(objectKey(kind, namespace, name))?.owner;
  }

  subscribe(listener: ConfigListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Delivers events in version order even when a listener applies more config from its callback. */
  #emit(event: ConfigEvent): void {
    this.#pending.push(event);
    if (this.#notifying) return;
    this.#notifying = true;
    try {
      for (let e = this.#pending.shift(); e; e = this.#pending.shift()) {
        for (const listener of [...this.#listeners]) {
          try {
            listener(e);
          } catch (err) {
            this.#onListenerError(err);
          }
        }
      }
    } finally {
      this.#notifying = false;
    }
  }
}

/** What makes two versions of an object different (not the store's own metadata). */
function fingerprintOf(o: AnyConfigObject): string {
  return canonicalJson([o.apiVersion, o.metadata.labels, o.metadata.annotations, o.spec]);
}

function isLoaded(input: unknown): input is LoadedConfig {
  return (
    typeof input === 'object' &&
    input !== null &&
    !Array.isArray(input) &&
    'objects' in input &&
    'errors' in input
  );
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
