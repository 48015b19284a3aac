// Follows every key under an etcd prefix: a list at one revision, then a watch from the next one,
// with the changes of each revision handed over together (one transaction, one batch). `resync`
// lists again (after the watch was compacted away, or when the replica was cut off from etcd); the
// listener gets the whole set then and works out what changed itself. Events at or below the
// revision already seen are dropped, so a list and a resuming watch never apply a change twice.
// etcd: Range, Watch (start_revision, compaction), mvcc revisions.

import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';

export interface PrefixKv {
  /** The key without the prefix. */
  key: string;
  value: Buffer;
  modRevision: number;
  /** The lease the key is attached to ('0' for none). */
  lease: string;
}

export type PrefixChange = { key: string; kv: PrefixKv | undefined };

export interface PrefixListener {
  /** Everything under the prefix at `revision` (the first load and every resync). */
  reset(revision: number, kvs: PrefixKv[]): void;
  /** The changes of one revision, in order: a kv for a put, undefined for a delete. */
  changes(revision: number, changes: PrefixChange[]): void;
  onError(err: unknown): void;
}

export class EtcdPrefixWatch {
  readonly #client: Etcd3;
  readonly #prefix: string;
  readonly #listener: PrefixListener;
  readonly #waiters: { revision: number; resolve: () => void }[] = [];
  #watcher: Watcher | undefined;
  #revision = 0;
  #closed = false;
  #resyncing: Promise<void> | undefined;

  constructor(client: Etcd3, prefix: string, listener: PrefixListener) {
    this.#client = client;
    this.#prefix = prefix;
    this.#listener = listener;
  }

  /** The newest revision whose changes under the prefix have been handed over. */
  get revision(): number {
    return this.#revision;
  }

  start(): Promise<void> {
    return this.resync();
  }

  /** Lists the prefix again and watches from there (one at a time). */
  resync(): Promise<void> {
    this.#resyncing ??= this.#resync().finally(() => {
      this.#resyncing = undefined;
    });
    return this.#resyncing;
  }

  /** Resolves once the changes up to `revision` have been handed over. */
  caughtUp(revision: number): Promise<void> {
    if (this.#revision >= revision) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ revision, resolve }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const w = this.#watcher;
    this.#watcher = undefined;
    await w?.cancel().catch(() => {});
  }

  async #resync(): Promise<void> {
    const old = this.#watcher;
    this.#watcher = undefined;
    await old?.cancel().catch(() => {});
    const res = await this.#client.getAll().prefix(this.#prefix).exec();
    const revision = Number(res.header.revision);
    if (this.#closed) return;
    this.#listener.reset(
      revision,
      res.kvs.map((kv) => this.#kv(kv)),
    );
    this.#advance(revision);
    const watcher = await this.#client
      .watch()
      .prefix(this.#prefix)
      .startRevision(String(revision + 1))
      .create();
    if (this.#closed) {
      await watcher.cancel().catch(() => {});
      return;
    }
    this.#watcher = watcher;
    watcher.on('data', (r: IWatchResponse) => this.#onData(r));
    watcher.on('error', (err) => {
      // Unrecoverable for this watcher (compacted past us, cancelled by etcd): list again.
      if (this.#watcher !== watcher || this.#closed) return;
      this.#listener.onError(err);
      void this.resync().catch((e) => this.#listener.onError(e));
    });
  }

  #onData(res: IWatchResponse): void {
    let batch: PrefixChange[] = [];
    let batchRevision = 0;
    const flush = () => {
      if (batch.length > 0 && batchRevision > this.#revision) {
        this.#listener.changes(batchRevision, batch);
        this.#advance(batchRevision);
      }
      batch = [];
    };
    for (const e of res.events) {
      const revision = Number(e.kv.mod_revision);
      if (revision !== batchRevision) {
        flush();
        batchRevision = revision;
      }
      const key = e.kv.key.toString().slice(this.#prefix.length);
      batch.push({ key, kv: e.type === 'Put' ? this.#kv(e.kv) : undefined });
    }
    flush();
  }

  #kv(kv: IKeyValue): PrefixKv {
    return {
      key: kv.key.toString().slice(this.#prefix.length),
      value: kv.value,
      modRevision: Number(kv.mod_revision),
      lease: String(kv.lease),
    };
  }

  #advance(revision: number): void {
    if (revision > this.#revision) this.#revision = revision;
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i]!;
      if (w.revision <= this.#revision) {
        this.#waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}
