// The config store: Istio objects keyed by kind/namespace/name, changed only by atomic applies that
// validate everything first. Each change bumps one store version; listeners get one event per apply.
// Kubernetes: resourceVersion and generation semantics of the API server (as istiod's config store).

import type { AnyConfigObject, ConfigKind } from './config-object.js';
import { objectKey } from './config-object.js';
import { ConfigRejectedError } from './config-rejected-error.js';
import { ConfigValidator, type SkippedDocument } from './config-validator.js';
import type { ConfigIssue } from './issues.js';
import { type LoadedConfig, loadConfigText, validateDocuments } from './load-config.js';

/** What happened to an object in the config store. */
export type ChangeType = 'added' | 'updated' | 'deleted';

export interface ConfigChange {
  type: ChangeType;
  kind: ConfigKind;
  namespace: string;
  name: string;
  /** The object after the change (absent for `deleted`). */
  object?: AnyConfigObject;
  /** The object before the change (absent for `added`). */
  previous?: AnyConfigObject;
}

export interface ConfigEvent {
  /** The store version after this change; strictly increasing from one event to the next. */
  version: number;
  changes: ConfigChange[];
  /** Where the change came from (ApplyOptions.source), when told. */
  source?: string;
}

export type ConfigListener = (event: ConfigEvent) => void;

export interface ApplyOptions {
  /** File name or other origin, carried into issues. */
  source?: string;
  /** Who owns the objects (`api` unless told); `replaceOwned` deletes what an owner no longer has. */
  owner?: string;
  /** Validate and work out the changes, but store nothing and tell no listener (a preview). */
  dryRun?: boolean;
}

export interface ApplyResult {
  version: number;
  /** Empty when everything applied was already there unchanged. */
  changes: ConfigChange[];
  warnings: ConfigIssue[];
  skipped: SkippedDocument[];
}

export interface ConfigStoreOptions {
  validator?: ConfigValidator;
  /** Called when a listener throws; the store carries on. Defaults to process.emitWarning. */
  onListenerError?: (err: unknown) => void;
  now?: () => Date;
}

interface Entry {
  object: AnyConfigObject;
  owner: string;
  fingerprint: string;
}

export class ConfigStore {
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<ConfigListener>();
  readonly #validator: ConfigValidator;
  readonly #onListenerError: (err: unknown) => void;
  readonly #now: () => Date;
  readonly #pending: ConfigEvent[] = [];
  #notifying = false;
  #version = 0;

  constructor(options: ConfigStoreOptions = {}) {
    this.#validator = options.validator ?? new ConfigValidator();
    this.#onListenerError =
      options.onListenerError ?? ((err) => process.emitWarning(`config listener failed: ${String(err)}`));
    this.#now = options.now ?? (() => new Date());
  }

  get version(): number {
    return this.#version;
  }

  get validator(): ConfigValidator {
    return this.#validator;
  }

  /**
   * Validates every document (YAML/JSON text, or decoded objects) and, only if all are valid,
   * creates or updates them in one step. Throws ConfigRejectedError with every issue otherwise.
   */
  apply(input: string | readonly unknown[], options: ApplyOptions = {}): ApplyResult {
    const loaded = this.#load(input, options);
    return this.#commit(loaded, options.owner ?? 'api', false, options);
  }

  /**
   * Makes the objects owned by `owner` exactly `input`: creates, updates, and deletes what the
   * owner had before but no longer lists. Atomic like `apply` (the config directory uses this).
   */
  replaceOwned(
    owner: string,
    input: string | readonly unknown[] | LoadedConfig,
    options: ApplyOptions = {},
  ): ApplyResult {
    const loaded = isLoaded(input) ? input : this.#load(input, options);
    return this.#commit(loaded, owner, true, options);
  }

  /** Deletes one object; returns false if it did not exist. */
  delete(kind: ConfigKind, namespace: string, name: string, options: { source?: string } = {}): boolean {
    const key = objectKey(kind, namespace, name);
    const entry = this.#entries.get(key);
    if (!entry) return false;
    this.#entries.delete(key);
    this.#version++;
    this.#emit({
      version: this.#version,
      changes: [{ type: 'deleted', kind, namespace, name, previous: entry.object }],
      ...(options.source !== undefined ? { source: options.source } : {}),
    });
    return true;
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

  /** Objects of one kind (or all), optionally in one namespace, sorted by kind/namespace/name. */
  list<K extends ConfigKind>(kind?: K, namespace?: string): Extract<AnyConfigObject, { kind: K }>[] {
    const out: AnyConfigObject[] = [];
    for (const [key, entry] of [...this.#entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      void key;
      if (kind && entry.object.kind !== kind) continue;
      if (namespace && entry.object.metadata.namespace !== namespace) continue;
      out.push(entry.object);
    }
    return out as Extract<AnyConfigObject, { kind: K }>[];
  }

  /** The owner (`api`, a config directory, ...) of an object. */
  ownerOf(kind: ConfigKind, namespace: string, name: string): string | undefined {
    return this.#entries.get(objectKey(kind, namespace, name))?.owner;
  }

  /** Calls `listener` after every change. Returns the function that unsubscribes it. */
  subscribe(listener: ConfigListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #load(input: string | readonly unknown[], options: ApplyOptions): LoadedConfig {
    const common = { validator: this.#validator, ...(options.source ? { source: options.source } : {}) };
    return typeof input === 'string' ? loadConfigText(input, common) : validateDocuments([...input], common);
  }

  #commit(loaded: LoadedConfig, owner: string, replace: boolean, options: ApplyOptions): ApplyResult {
    const errors = [...loaded.errors];
    const seen = new Map<string, number>();
    loaded.objects.forEach((o, i) => {
      const key = objectKey(o.kind, o.metadata.namespace, o.metadata.name);
      if (seen.has(key)) {
        errors.push({
          severity: 'error',
          document: key,
          path: 'metadata.name',
          message: `Duplicate value: ${JSON.stringify(o.metadata.name)}: ${key} is defined more than once in this apply`,
        });
      }
      seen.set(key, i);
    });
    if (errors.length > 0) throw new ConfigRejectedError([...errors, ...loaded.warnings]);

    const changes: ConfigChange[] = [];
    const next = this.#version + 1;
    const updates: [string, Entry][] = [];
    for (const o of loaded.objects) {
      const key = objectKey(o.kind, o.metadata.namespace, o.metadata.name);
      const prev = this.#entries.get(key);
      const fingerprint = canonicalJson([o.apiVersion, o.metadata.labels, o.metadata.annotations, o.spec]);
      if (prev && prev.fingerprint === fingerprint) {
        if (prev.owner !== owner) updates.push([key, { ...prev, owner }]);
        continue;
      }
      const object = deepFreeze({
        ...o,
        metadata: {
          ...o.metadata,
          resourceVersion: String(next),
          generation: (prev?.object.metadata.generation ?? 0) + 1,
          creationTimestamp: prev?.object.metadata.creationTimestamp ?? this.#now().toISOString(),
        },
      }) as AnyConfigObject;
      updates.push([key, { object, owner, fingerprint }]);
      const { kind, metadata } = object;
      changes.push(
        prev
          ? {
              type: 'updated',
              kind,
              namespace: metadata.namespace,
              name: metadata.name,
              object,
              previous: prev.object,
            }
          : { type: 'added', kind, namespace: metadata.namespace, name: metadata.name, object },
      );
    }
    const deletions: string[] = [];
    if (replace) {
      for (const [key, entry] of this.#entries) {
        if (entry.owner !== owner || seen.has(key)) continue;
        deletions.push(key);
        const { kind, metadata } = entry.object;
        changes.push({
          type: 'deleted',
          kind,
          namespace: metadata.namespace,
          name: metadata.name,
          previous: entry.object,
        });
      }
    }
    if (options.dryRun) {
      const version = changes.length > 0 ? next : this.#version;
      return { version, changes, warnings: loaded.warnings, skipped: loaded.skipped };
    }
    for (const [key, entry] of updates) this.#entries.set(key, entry);
    for (const key of deletions) this.#entries.delete(key);
    if (changes.length > 0) {
      this.#version = next;
      this.#emit({
        version: next,
        changes,
        ...(options.source !== undefined ? { source: options.source } : {}),
      });
    }
    return { version: this.#version, changes, warnings: loaded.warnings, skipped: loaded.skipped };
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

function isLoaded(input: unknown): input is LoadedConfig {
  return (
    typeof input === 'object' &&
    input !== null &&
    !Array.isArray(input) &&
    'objects' in input &&
    'errors' in input
  );
}

/** JSON with sorted keys, so that two equal objects written in different key order compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
