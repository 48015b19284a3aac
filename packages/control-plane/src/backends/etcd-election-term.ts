// One candidacy in the control-plane replicas' election, on etcd primitives as etcd's own
// concurrency.Election does it: a lease of its own, kept alive here; a key
// `<prefix>/election/<lease id in hex>` created in a transaction (create revision 0 => put on the
// lease); the candidate whose key has the lowest create revision leads. A follower watches only the
// key just before its own (by create revision) and checks again when that key is deleted.
//
// A leader acts only while its lease surely lives: each keep-alive answered extends that to the
// time it was sent plus the TTL, and the leader stops acting `marginMs` before then, so a replica
// cut off from etcd has stopped before its lease expires and before anyone else can be elected.
// Writes that only the leader may make carry `fence()` in their transaction (this key still at this
// create revision), so etcd itself refuses them from a candidate whose term ended.
// Everything the term starts (keep-alive timer, watch, step-down timer) is ended by `end()`.
// etcd: client/v3/concurrency (election.go Campaign/Resign/waitDeletes, session.go), Txn, Watch, leases.

import type { Etcd3, Lease, Watcher } from 'etcd3';
import { EtcdLeaseInvalidError } from 'etcd3';

export interface TermOptions {
  client: Etcd3;
  /** `<prefix>/election/`, with the slash. */
  prefix: string;
  /** What the key holds: the replica's id. */
  value: string;
  ttlSeconds: number;
  /** How long before the lease could expire the leader stops acting. */
  marginMs: number;
  /** Whether the term leads (and may act) now; called on every change. */
  onLeading(leading: boolean): void;
  /** The term is over (its lease is gone, or etcd answered something wrong); not called after end(). */
  onLost(reason: string): void;
}

/** A compare for leader-only transactions: this key still has this create revision. */
export interface Fence {
  key: string;
  createRevision: string;
}

export class ElectionTerm {
  private readonly options: TermOptions;
  private readonly lease: Lease;
  private key = '';
  private createRevision = '';
  /** Local time until which the lease surely lives (a keep-alive's send time plus the TTL). */
  private aliveUntil = 0;
  private elected = false;
  private leadingValue = false;
  private watcher: Watcher | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private stepDownTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(options: TermOptions) {
    this.options = options;
    this.lease = options.client.lease(options.ttlSeconds, { autoKeepAlive: false });
  }

  get leading(): boolean {
    return this.leadingValue;
  }

  /** The compare that fences leader-only writes, while this term leads. */
  fence(): Fence | undefined {
    return this.leadingValue ? { key: this.key, createRevision: this.createRevision } : undefined;
  }

  /** Grants the lease, creates the key and starts waiting for its turn. Rejects if etcd fails. */
  async campaign(): Promise<void> {
    const { client, prefix, value, ttlSeconds } = this.options;
    const granting = Date.now();
    const id = await this.lease.grant();
    if (this.ended) return;
    this.aliveUntil = granting + ttlSeconds * 1000;
    this.key = prefix + BigInt(id).toString(16);
    const res = await client
      .if(this.key, 'Create', '==', 0)
      .then(client.put(this.key).value(value).lease(id))
      .else(client.get(this.key))
      .commit();
    const existing = res.responses[0]?.response_range?.kvs?.[0];
    this.createRevision = res.succeeded ? String(res.header.revision) : String(existing?.create_revision);
    if (this.ended) return;
    this.scheduleKeepAlive();
    await this.check();
  }

  /** Stops everything this term started; with `resign`, deletes the key and revokes the lease. */
  async end(resign: boolean, boundMs = 1000): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.keepAliveTimer);
    clearTimeout(this.stepDownTimer);
    this.setLeading(false);
    const watcher = this.watcher;
    this.watcher = undefined;
    const work: Promise<unknown>[] = [];
    if (watcher) work.push(watcher.cancel());
    if (resign) {
      // The key first (fenced on its create revision), then the lease, even one still being granted.
      const { client } = this.options;
      const deleted =
        this.createRevision === ''
          ? Promise.resolve()
          : client
              .if(this.key, 'Create', '==', this.createRevision)
              .then(client.delete().key(this.key))
              .commit();
      work.push(deleted.finally(() => this.lease.revoke()));
    } else this.lease.release();
    await bounded(Promise.allSettled(work), boundMs);
  }

  /** Leads if no key is older than ours; else waits for the one just before ours to go. */
  private async check(): Promise<void> {
    if (this.ended) return;
    const { client, prefix } = this.options;
    const before = await client
      .getAll()
      .prefix(prefix)
      .maxCreateRevision(String(BigInt(this.createRevision) - 1n))
      .sort('Create', 'Descend')
      .limit(1)
      .exec();
    if (this.ended) return;
    const previous = before.kvs[0];
    if (!previous) {
      this.elected = true;
      this.updateLeading();
      return;
    }
    // Made at once (not awaited until etcd confirms it), so that end() can always cancel it; from
    // the revision just read, so a delete in between is not missed.
    const watcher = client
      .watch()
      .key(previous.key)
      .startRevision(String(BigInt(before.header.revision) + 1n))
      .watcher();
    this.watcher = watcher;
    const again = (): void => {
      if (this.watcher !== watcher) return;
      this.watcher = undefined;
      watcher.cancel().catch(() => {});
      this.check().catch((err) => this.lose(`checking the election failed: ${String(err)}`));
    };
    watcher.on('delete', again);
    // Compacted past, or cancelled by etcd: look again rather than wait on a dead watch.
    watcher.on('error', again);
  }

  private scheduleKeepAlive(): void {
    if (this.ended) return;
    const interval = (this.options.ttlSeconds * 1000) / 3;
    this.keepAliveTimer = setTimeout(() => void this.keepAlive(interval), interval);
    this.keepAliveTimer.unref();
  }

  private async keepAlive(interval: number): Promise<void> {
    const sent = Date.now();
    try {
      const res = await this.lease.keepaliveOnce({ deadline: sent + interval });
      if (this.ended) return;
      this.aliveUntil = Math.max(this.aliveUntil, sent + Number(res.TTL) * 1000);
      this.updateLeading();
    } catch (err) {
      if (this.ended) return;
      if (err instanceof EtcdLeaseInvalidError) {
        this.lose('the election lease expired');
        return;
      }
      // etcd did not answer in time: try again; the step-down timer covers the silence.
    }
    this.scheduleKeepAlive();
  }

  /** Leading = elected and the lease surely alive for `marginMs` more; re-arms the step-down. */
  private updateLeading(): void {
    clearTimeout(this.stepDownTimer);
    const left = this.aliveUntil - this.options.marginMs - Date.now();
    this.setLeading(this.elected && left > 0);
    if (this.elected && left > 0) {
      this.stepDownTimer = setTimeout(() => this.updateLeading(), left);
      this.stepDownTimer.unref();
    }
  }

  private setLeading(leading: boolean): void {
    if (this.leadingValue === leading) return;
    this.leadingValue = leading;
    this.options.onLeading(leading);
  }

  private lose(reason: string): void {
    if (this.ended) return;
    void this.end(false);
    this.options.onLost(reason);
  }
}

/** Waits for `work`, but no longer than `ms` (a call to an etcd that does not answer). */
function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
