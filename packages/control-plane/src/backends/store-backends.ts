// Store backends: where a control plane keeps applied config and self-registrations. This is a
// plug-in point: a backend is a factory registered under a scheme (`memory`, `etcd`, ...) on a
// StoreBackends instance, and `shoal cp --store SCHEME://...` picks one. The built-in backends are
// registered in builtin-backends.ts. Where the registry comes from is the other plug-in point
// (registry-backends.ts): by default, the store's own registrations and sources.

import type { ConfigStore } from '../config/config-store.js';
import type { ConfigValidator } from '../config/config-validator.js';
import type { DataDir } from '../state/data-dir.js';
import type { RegistryBackend } from './registry-backends.js';

/** How a backend logs: the control plane's logger. */
export type BackendLogger = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** What a backend is made with. */
export interface BackendContext {
  /** The `--store` value as given (`memory` when none was); the factory parses what follows the scheme. */
  store: string;
  /** Its scheme: `memory`, `etcd`, ... */
  scheme: string;
  /** Key prefix for shared stores (`--store-prefix`, default `/shoal`). */
  prefix: string;
  /** The control plane's data dir, when it has one. */
  dataDir?: DataDir;
  validator?: ConfigValidator;
  /** How long a registration whose stream ended stays (default 10 s). */
  graceMs?: number;
  /** For `--store kubernetes`: the kubeconfig file (default: in-cluster or ~/.kube/config) and namespaces (default all). */
  kubernetes?: { kubeconfig?: string; namespaces?: string[] };
  log: BackendLogger;
}

/**
 * Whether this replica's view of a shared store is current. A replica that lost its store must not
 * serve what it holds as fresh: the control plane ends its streams and refuses new ones meanwhile.
 */
export interface StoreHealth {
  readonly current: boolean;
  /** Calls `listener` whenever `current` changes; returns the unsubscribe. */
  onChange(listener: (current: boolean) => void): () => void;
}

/** Work that must be done once among replicas, by the elected leader. */
export interface Leadership {
  readonly isLeader: boolean;
  /** This replica's id in the election. */
  readonly id: string;
  /** Calls `listener` when this replica becomes or stops being the leader; returns the unsubscribe. */
  onChange(listener: (leader: boolean) => void): () => void;
}

/**
 * State the control plane keeps in a shared store, so that replicas agree on it (the CA's root,
 * the workload tokens). A store that replicas do not share has none: the data dir keeps that state.
 */
export interface SharedState {
  /** Where it is kept, for logs. */
  readonly description: string;
  /**
   * The value stored under `name`; if no replica stored one yet, `make()`'s, stored in one
   * transaction: the first writer wins and every other replica reads its value (`created` false).
   */
  createOnce(name: string, make: () => Promise<string>): Promise<{ value: string; created: boolean }>;
  /** Stores `value` under `name`, or deletes it (undefined). */
  put(name: string, value: string | undefined): Promise<void>;
  /** Follows every value under `prefix` (names relative to it), whichever replica writes them. */
  follow(prefix: string, listener: SharedListener): Promise<{ close(): Promise<void> }>;
}

/** Told what is under a followed prefix: all of it first (and after a resync), then each change. */
export interface SharedListener {
  reset(values: ReadonlyMap<string, string>): void;
  /** A value put, or deleted (undefined). */
  change(name: string, value: string | undefined): void;
}

/** A config store with the registry it keeps (registrations; sources, for Kubernetes). */
export interface StoreBackend extends Omit<RegistryBackend, 'ready'> {
  readonly config: ConfigStore;
  /** The state replicas share (a shared store only); read after `start()`. */
  readonly shared?: SharedState;
  /**
   * Connects (a shared store: waits until it answers) and starts what the backend runs besides the
   * stores (the election). Called before `config.start()` and the registrations' start.
   */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Makes a store backend of one URL scheme. */
export type StoreBackendFactory = (context: BackendContext) => StoreBackend;

/** What StoreBackends.create takes besides the URL: a BackendContext with the prefix optional. */
export interface CreateBackendOptions extends Omit<BackendContext, 'store' | 'scheme' | 'prefix'> {
  prefix?: string;
}

/** The backends a control plane can use, by URL scheme. Owned by whoever builds control planes. */
export class StoreBackends {
  private readonly factories = new Map<string, StoreBackendFactory>();

  /** Adds a backend for `scheme` (without the colon). */
  register(scheme: string, factory: StoreBackendFactory): this {
    if (this.factories.has(scheme)) throw new Error(`store backend "${scheme}" is registered twice`);
    this.factories.set(scheme, factory);
    return this;
  }

  get schemes(): string[] {
    return [...this.factories.keys()].sort();
  }

  /** The backend for `store` (`memory`, `etcd://host:2379,host:2379`, ...; default memory). */
  create(store: string | undefined, options: CreateBackendOptions): StoreBackend {
    const text = store === undefined || store === '' ? 'memory' : store;
    const scheme = schemeOf(text);
    const factory = scheme === undefined ? undefined : this.factories.get(scheme);
    if (!factory || scheme === undefined)
      throw new Error(
        `--store ${JSON.stringify(text)}: no such store (known: ${this.schemes.join(', ')}; e.g. etcd://127.0.0.1:2379)`,
      );
    const prefix = options.prefix ?? '/shoal';
    if (!prefix.startsWith('/') || prefix.endsWith('/') || prefix.length < 2)
      throw new Error(`--store-prefix ${JSON.stringify(prefix)}: must start with / and not end with one`);
    return factory({ ...options, store: text, scheme, prefix });
  }
}

/** The scheme of a store or registry URL (`etcd` of `etcd://...`, `memory` of `memory`), lower-cased. */
export function schemeOf(url: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*)(?::|$)/i.exec(url)?.[1]?.toLowerCase();
}
