// The replica elected to do what must happen once among replicas (sweeping registrations whose
// grace period ended; other concerns subscribe with onChange). Each replica campaigns under
// `<prefix>/election/` with an election of our own on etcd primitives (etcd-election-term.ts: a
// lease of a few seconds, a key per candidate, the oldest leads), so a leader that dies is replaced
// within that TTL, one cut off from etcd stops acting before then, and one that stops cleanly
// resigns at once. A term that is lost (its lease expired) is followed by a new campaign. `close()`
// ends the watch, the keep-alive and every timer, and resolves within a bound even if etcd is gone.
// etcd: client/v3/concurrency Election (Campaign, Resign), as in etcd's Go client.

import { ElectionTerm, type Fence } from './etcd-election-term.js';
import type { EtcdSession } from './etcd-session.js';
import type { BackendLogger, Leadership } from './store-backends.js';

export type { Fence } from './etcd-election-term.js';

export interface EtcdLeadershipOptions {
  /** TTL of the campaign lease in seconds (default 5): how long a dead leader is waited for. */
  ttlSeconds?: number;
  /** How long before its lease could expire a silent leader stops acting (default 1000 ms). */
  marginMs?: number;
  /** Pause before campaigning again after a failed or lost term (default 1000 ms). */
  retryMs?: number;
  log: BackendLogger;
}

export class EtcdLeadership implements Leadership {
  readonly id: string;
  private readonly session: EtcdSession;
  private readonly options: EtcdLeadershipOptions;
  private readonly listeners = new Set<(leader: boolean) => void>();
  private term: ElectionTerm | undefined;
  private leader = false;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(session: EtcdSession, options: EtcdLeadershipOptions) {
    this.id = session.replicaId;
    this.session = session;
    this.options = options;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /**
   * While this replica leads: the compare to put in a leader-only transaction, so that etcd refuses
   * the write if the term has ended meanwhile (`client.if(f.key, 'Create', '==', f.createRevision)`).
   */
  fence(): Fence | undefined {
    return this.term?.fence();
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Campaigns until closed; a failed or lost term is followed by a new campaign. */
  start(): void {
    if (this.closed || this.term) return;
    clearTimeout(this.retry);
    const { log, ttlSeconds = 5, marginMs = 1000 } = this.options;
    const term: ElectionTerm = new ElectionTerm({
      client: this.session.client,
      prefix: `${this.session.prefix}/election/`,
      value: this.id,
      ttlSeconds,
      marginMs,
      onLeading: (leading) => {
        if (this.term !== term) return;
        log(leading ? 'info' : 'warn', leading ? 'leading the control-plane replicas' : 'no longer leading', {
          replica: this.id,
        });
        this.set(leading);
      },
      onLost: (reason) => this.again(term, reason),
    });
    this.term = term;
    term.campaign().catch((err) => {
      void term.end(false);
      this.again(term, `campaign failed: ${String(err)}`);
    });
  }

  /** Resigns (deletes its key and revokes its lease) and stops; resolves within about a second. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const term = this.term;
    this.term = undefined;
    this.set(false);
    await term?.end(true);
  }

  private again(term: ElectionTerm, reason: string): void {
    if (this.term !== term || this.closed) return;
    this.options.log('warn', 'leader election term ended; campaigning again', { reason });
    this.term = undefined;
    this.set(false);
    this.retry = setTimeout(() => this.start(), this.options.retryMs ?? 1000);
    this.retry.unref();
  }

  private set(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    for (const listener of [...this.listeners]) listener(leader);
  }
}
