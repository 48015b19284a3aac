// Config in etcd, shared by every control-plane replica: one key per object
// (`<prefix>/config/<Kind>/<namespace>/<name>`, JSON {owner, object}) and a marker key
// (`<prefix>/config-version`) written by every change of content. An apply is one transaction:
// it commits only if the marker and every key it touches are as this replica last saw them, so
// two replicas applying at once never lose either change (the loser re-plans on the newer view).
// The store version is the marker's revision and an object's resourceVersion the revision of its
// last content change, so every replica reports the same numbers. Every replica follows the
// prefix with a watch and installs each revision's changes as one event.
// etcd: Txn (compare mod_revision), Watch; Kubernetes: resourceVersion from the etcd revision.

import { Code, RpcError } from '@shoal/rpc';
import type { Etcd3 } from 'etcd3';
import { EtcdPrefixWatch, type PrefixChange, type PrefixKv } from '../backends/etcd-prefix-watch.js';
import type { AnyConfigObject, ConfigKind } from './config-object.js';
import { objectKey } from './config-object.js';
import type { ConfigStateOptions, EntryUpdate, StoredEntry } from './config-state.js';
import type { ApplyOptions, ApplyResult, ConfigChange, ConfigStore } from './config-store.js';
import type { LoadedConfig } from './load-config.js';
import { StateBackedStore } from './state-backed-store.js';

export interface EtcdConfigStoreOptions extends ConfigStateOptions {
  client: Etcd3;
  /** Key prefix, e.g. `/shoal`. */
  prefix: string;
  /** For status lines, e.g. `etcd://127.0.0.1:2379/shoal`. */
  description: string;
}

/** Attempts of an apply that keeps losing to concurrent applies before it gives up. */
const MAX_ATTEMPTS = 8;

export class EtcdConfigStore extends StateBackedStore implements ConfigStore {
  readonly description: string;
  readonly #client: Etcd3;
  readonly #marker: string;
  readonly #objects: string;
  readonly #watch: EtcdPrefixWatch;
  /** The revision each object key was last written at (content or owner). */
  readonly #modRevisions = new Map<string, number>();
  /** Changes installed per revision, kept until the apply that made them picks them up. */
  readonly #installed = new Map<number, ConfigChange[]>();
  #markerRevision = 0;
  /** Writes of this replica go one at a time: only other replicas can then race them. */
  #writes: Promise<unknown> = Promise.resolve();

  constructor(options: EtcdConfigStoreOptions) {
    super(options);
    this.#client = options.client;
    this.description = options.description;
    this.#marker = `${options.prefix}/config-version`;
    this.#objects = `${options.prefix}/config/`;
    this.#watch = new EtcdPrefixWatch(this.#client, `${options.prefix}/config`, {
      reset: (revision, kvs) => this.#reset(revision, kvs),
      changes: (revision, changes) => this.#install(revision, changes),
      onError: (err) => process.emitWarning(`etcd config watch: ${String(err)}`),
    });
  }

  start(): Promise<void> {
    return this.#watch.start();
  }

  /** Lists every object again (after this replica was cut off from etcd). */
  resync(): Promise<void> {
    return this.#watch.resync();
  }

  close(): Promise<void> {
    return this.#watch.close();
  }

  apply(input: string | readonly unknown[], options: ApplyOptions = {}): Promise<ApplyResult> {
    const loaded = this.state.load(input, options);
    return this.#serialize(() => this.#commit(loaded, options.owner ?? 'api', false, options));
  }

  replaceOwned(
    owner: string,
    input: string | readonly unknown[] | LoadedConfig,
    options: ApplyOptions = {},
  ): Promise<ApplyResult> {
    const loaded = this.state.load(input, options);
    return this.#serialize(() => this.#commit(loaded, owner, true, options));
  }

  delete(
    kind: ConfigKind,
    namespace: string,
    name: string,
    options: { source?: string } = {},
  ): Promise<boolean> {
    const key = objectKey(kind, namespace, name);
    return this.#serialize(async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (!this.state.get(kind, namespace, name)) return false;
        if ((await this.#write([[key, undefined]], options.source)) !== undefined) return true;
        await lostRace();
      }
      throw conflict();
    });
  }

  async #commit(
    loaded: LoadedConfig,
    owner: string,
    replace: boolean,
    options: ApplyOptions,
  ): Promise<ApplyResult> {
    const { warnings, skipped } = loaded;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const updates = this.state.plan(loaded, owner, replace); // throws ConfigError when invalid
      if (options.dryRun) {
        // The version shown is the next one this replica would give; etcd's revision may differ.
        const staged = this.state.stage(this.state.version + 1, updates);
        return { version: this.state.versionAfter(staged), changes: staged.changes, warnings, skipped };
      }
      const changes = updates.length === 0 ? [] : await this.#write(updates, options.source);
      if (changes !== undefined) return { version: this.state.version, changes, warnings, skipped };
      await lostRace();
    }
    throw conflict();
  }

  #serialize<T>(write: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(write);
    this.#writes = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes the updates in one transaction guarded by what this replica has seen; resolves with the
   * changes once this replica's view has them, or undefined when another write came first (the
   * view is then caught up, so the caller can plan again).
   */
  async #write(updates: readonly EntryUpdate[], source?: string): Promise<ConfigChange[] | undefined> {
    const content = this.state.stage(0, updates).changes.length > 0;
    const txn = this.#client.if(this.#marker, 'Mod', '==', this.#markerRevision);
    for (const [key] of updates) txn.and(this.#objects + key, 'Mod', '==', this.#modRevisions.get(key) ?? 0);
    txn.then(
      ...updates.map(([key, entry]) =>
        entry
          ? // A changed object is stored without resourceVersion (the write's revision is); an owner
            // change keeps the object as it was, resourceVersion included.
            this.#client.put(this.#objects + key).value(JSON.stringify(entry))
          : this.#client.delete().key(this.#objects + key),
      ),
      ...(content ? [this.#client.put(this.#marker).value(JSON.stringify({ source }))] : []),
    );
    // When another write came first, these say which revision of the config the view must reach
    // (the cluster's revision may be a write elsewhere, which this prefix's watch never sees).
    txn.else(
      this.#client.get(this.#marker),
      ...updates.map(([key]) => this.#client.get(this.#objects + key)),
    );
    let res: Awaited<ReturnType<typeof txn.commit>>;
    try {
      res = await txn.commit();
    } catch (err) {
      if (/too many operations in txn/.test(String((err as Error).message)))
        throw new RpcError(
          Code.INVALID_ARGUMENT,
          `an apply of ${updates.length} objects is more than etcd takes in one transaction (its --max-txn-ops, 128 by default): apply fewer at a time, or raise --max-txn-ops on every etcd member`,
        );
      throw new RpcError(
        Code.UNAVAILABLE,
        `the config store (etcd) did not answer: ${(err as Error).message}; the change may not have been saved`,
      );
    }
    if (!res.succeeded) {
      let newest = 0;
      for (const r of res.responses)
        for (const kv of r.response_range?.kvs ?? []) newest = Math.max(newest, Number(kv.mod_revision));
      await this.#watch.caughtUp(newest);
      return undefined;
    }
    const revision = Number(res.header.revision);
    await this.#watch.caughtUp(revision);
    const changes = this.#installed.get(revision) ?? [];
    this.#installed.delete(revision);
    return changes;
  }

  #reset(revision: number, kvs: PrefixKv[]): void {
    const present = new Set<string>();
    const updates: EntryUpdate[] = [];
    this.#markerRevision = 0;
    for (const kv of kvs) {
      if (kv.key === '-version') {
        this.#markerRevision = kv.modRevision;
        continue;
      }
      const key = kv.key.slice(1);
      present.add(key);
      updates.push([key, this.#entry(key, kv)]);
    }
    for (const key of this.state.entries().keys()) if (!present.has(key)) updates.push([key, undefined]);
    if (this.state.version === 0 && this.state.entries().size === 0) {
      // The first load: objects as stored, at the marker's revision, without events.
      this.state.restore(
        this.#markerRevision,
        updates.flatMap(([, e]) => (e ? [e] : [])),
      );
    } else {
      this.state.install(this.#markerRevision || revision, updates);
    }
    this.#modRevisions.clear();
    for (const kv of kvs) if (kv.key !== '-version') this.#modRevisions.set(kv.key.slice(1), kv.modRevision);
  }

  #install(revision: number, changes: PrefixChange[]): void {
    const updates: EntryUpdate[] = [];
    let source: string | undefined;
    for (const { key: raw, kv } of changes) {
      if (raw === '-version') {
        this.#markerRevision = revision;
        source = kv ? sourceOf(kv) : undefined;
        continue;
      }
      const key = raw.slice(1);
      if (kv) this.#modRevisions.set(key, kv.modRevision);
      else this.#modRevisions.delete(key);
      updates.push([key, kv ? this.#entry(key, kv) : undefined]);
    }
    const installed = this.state.install(revision, updates, source);
    this.#installed.set(revision, installed);
    // Changes no apply of this replica waits for (another replica's) are not kept.
    for (const r of this.#installed.keys()) if (r < revision - 1000) this.#installed.delete(r);
  }

  /** A stored value back into an entry: resourceVersion is the revision unless the value keeps an older one. */
  #entry(key: string, kv: PrefixKv): StoredEntry | undefined {
    try {
      const { owner, object } = JSON.parse(kv.value.toString()) as StoredEntry;
      const resourceVersion = object.metadata.resourceVersion ?? String(kv.modRevision);
      return {
        owner,
        object: { ...object, metadata: { ...object.metadata, resourceVersion } } as AnyConfigObject,
      };
    } catch (err) {
      process.emitWarning(`etcd config: ignoring ${this.#objects}${key}: ${(err as Error).message}`);
      return undefined;
    }
  }
}

/** Where a change came from, as the replica that made it wrote it in the marker. */
function sourceOf(kv: PrefixKv): string | undefined {
  try {
    const { source } = JSON.parse(kv.value.toString()) as { source?: unknown };
    return typeof source === 'string' ? source : undefined;
  } catch {
    return undefined;
  }
}

/** After losing a race to another replica: a short random pause, so the two do not collide again. */
function lostRace(): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * 20));
}

function conflict(): RpcError {
  return new RpcError(
    Code.ABORTED,
    `the config changed under this apply ${MAX_ATTEMPTS} times in a row (other replicas applying); try again`,
  );
}
