// The replica elected to do what must happen once among replicas (sweeping registrations whose
// grace period ended; other concerns subscribe with onChange). An etcd election: each replica
// campaigns with its id under `<prefix>/election/leader`, on a campaign lease of a few seconds, so
// a leader that dies is replaced within that TTL, and one that stops cleanly resigns at once.
// etcd: concurrency.Election (campaign, resign), as in etcd's Go client.

import type { Campaign, Election } from 'etcd3';
import type { EtcdSession } from './etcd-session.js';
import type { BackendLogger, Leadership } from './store-backends.js';

export interface EtcdLeadershipOptions {
  /** TTL of the campaign lease in seconds (default 5): how long a dead leader is waited for. */
  ttlSeconds?: number;
  log: BackendLogger;
}

export class EtcdLeadership implements Leadership {
  readonly id: string;
  readonly #election: Election;
  readonly #log: BackendLogger;
  readonly #listeners = new Set<(leader: boolean) => void>();
  #campaign: Campaign | undefined;
  #leader = false;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(session: EtcdSession, options: EtcdLeadershipOptions) {
    this.id = session.replicaId;
    this.#log = options.log;
    this.#election = session.client
      .namespace(`${session.prefix}/election/`)
      .election('leader', options.ttlSeconds ?? 5);
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Campaigns until closed; a failed campaign (its lease lost) is started again after a second. */
  start(): void {
    if (this.#closed || this.#campaign) return;
    const campaign = this.#election.campaign(this.id);
    this.#campaign = campaign;
    campaign.on('elected', () => {
      if (this.#campaign !== campaign) return;
      this.#log('info', 'elected leader of the control-plane replicas', { replica: this.id });
      this.#set(true);
    });
    campaign.on('error', (err) => {
      if (this.#campaign !== campaign) return;
      this.#log('warn', 'leader campaign failed; campaigning again', { error: String(err) });
      this.#campaign = undefined;
      this.#set(false);
      this.#retry = setTimeout(() => this.start(), 1000);
      this.#retry.unref();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const campaign = this.#campaign;
    this.#campaign = undefined;
    this.#set(false);
    await campaign?.resign().catch(() => {});
  }

  #set(leader: boolean): void {
    if (this.#leader === leader) return;
    this.#leader = leader;
    for (const listener of [...this.#listeners]) listener(leader);
  }
}
