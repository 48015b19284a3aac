// The config store's contract: Istio objects keyed by kind/namespace/name, changed only by atomic
// applies that validate everything first. Each change bumps one store version; listeners get one
// event per apply. This is a plug-in point: a backend (memory with a data dir, etcd, Kubernetes)
// implements ConfigStore and is registered in store-backends.ts.
// Kubernetes: resourceVersion and generation semantics of the API server (as istiod's config store).

import type { AnyConfigObject, ConfigKind } from './config-object.js';
import type { ConfigValidator, SkippedDocument } from './config-validator.js';
import type { ConfigIssue } from './issues.js';
import type { LoadedConfig } from './load-config.js';

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

/**
 * Where applied config lives. Reads are synchronous views of the backend's current state (a
 * backend that lives elsewhere keeps a local copy fed by its watch); writes are atomic and resolve
 * once this process's view includes them, so a read after an apply sees it.
 */
export interface ConfigStore {
  /** Strictly increasing with every change (etcd: the revision of the last change). */
  readonly version: number;
  readonly validator: ConfigValidator;
  /** Where the objects live, for status lines: `memory`, `etcd://host:port/shoal`, ... */
  readonly description: string;
  /** Loads what the backend holds and starts following its changes. Called once, before serving. */
  start(): Promise<void>;
  /**
   * Validates every document (YAML/JSON text, or decoded objects) and, only if all are valid,
   * creates or updates them in one step. Rejects with a ConfigRejectedError with every issue otherwise.
   */
  apply(input: string | readonly unknown[], options?: ApplyOptions): Promise<ApplyResult>;
  /**
   * Makes the objects owned by `owner` exactly `input`: creates, updates, and deletes what the
   * owner had before but no longer lists. Atomic like `apply` (the config directory uses this).
   */
  replaceOwned(
    owner: string,
    input: string | readonly unknown[] | LoadedConfig,
    options?: ApplyOptions,
  ): Promise<ApplyResult>;
  /** Deletes one object; resolves false if it did not exist. `source` is carried into the event. */
  delete(kind: ConfigKind, namespace: string, name: string, options?: { source?: string }): Promise<boolean>;
  get<K extends ConfigKind>(
    kind: K,
    namespace: string,
    name: string,
  ): Extract<AnyConfigObject, { kind: K }> | undefined;
  /** Objects of one kind (or all), optionally in one namespace, sorted by kind/namespace/name. */
  list<K extends ConfigKind>(kind?: K, namespace?: string): Extract<AnyConfigObject, { kind: K }>[];
  /** The owner (`api`, `dir:/path` for a config directory, ...) of an object. */
  ownerOf(kind: ConfigKind, namespace: string, name: string): string | undefined;
  /** Calls `listener` after every change. Returns the function that unsubscribes it. */
  subscribe(listener: ConfigListener): () => void;
  /** Stops following the backend. */
  close(): Promise<void>;
}
