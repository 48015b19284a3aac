// One control-plane replica's connection to etcd: the client (every member listed, so a dead
// member is passed over), the replica's lease (every registration this replica holds is attached to
// it, so one keep-alive serves them all and they go with the replica if it dies), and the store's
// health: a linearizable read each second proves a quorum answers. A replica that cannot reach
// etcd for three probes in a row is no longer current (StoreHealth); when etcd answers again, the
// session re-grants a lost lease and calls its resync hooks before the replica serves again.
// etcd: leases (LeaseGrant, LeaseKeepAlive), Range with linearizable reads.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConsecutiveBreaker, circuitBreaker, ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { Etcd3, isRecoverableError, type Lease } from 'etcd3';
import type { BackendLogger, StoreHealth } from './store-backends.js';

export interface EtcdSessionOptions {
  /** `http://host:port` of each member. */
  endpoints: string[];
  /** Key prefix, e.g. `/shoal`. */
  prefix: string;
  /** TTL of the replica's lease in seconds (default 10): how long a dead replica's registrations last. */
  leaseTtlSeconds?: number;
  /** Interval of the health probe (default 1000 ms). */
  probeMs?: number;
  log: BackendLogger;
}

/** `etcd://h1:2379,h2:2379` → the members' URLs. */
export function parseEtcdStore(store: string): string[] {
  const rest = store.replace(/^etcd:\/\//i, '');
  const hosts = rest
    .replace(/\/+$/, '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  if (!/^etcd:\/\//i.test(store) || hosts.length === 0)
    throw new Error(`--store ${JSON.stringify(store)}: expected etcd://HOST:PORT[,HOST:PORT...]`);
  for (const h of hosts) {
    if (
      !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):\d{1,5}$/i.test(h) ||
      Number(h.slice(h.lastIndexOf(':') + 1)) > 65535
    )
      throw new Error(`--store ${JSON.stringify(store)}: "${h}" is not HOST:PORT`);
  }
  return hosts.map((h) => `http://${h}`);
}

export class EtcdSession implements StoreHealth {
  readonly client: Etcd3;
  readonly prefix: string;
  /** This replica's id: host, pid and a random part. */
  readonly replicaId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly #ttl: number;
  readonly #probeMs: number;
  readonly #log: BackendLogger;
  readonly #healthListeners = new Set<(current: boolean) => void>();
  readonly #resyncHooks: (() => Promise<void>)[] = [];
  readonly #leaseHooks: ((leaseId: string) => Promise<void>)[] = [];
  #lease: Lease | undefined;
  #leaseId: Promise<string> | undefined;
  #current = false;
  #failures = 0;
  #probeTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: EtcdSessionOptions) {
    this.prefix = options.prefix;
    this.#ttl = options.leaseTtlSeconds ?? 10;
    this.#probeMs = options.probeMs ?? 1000;
    this.#log = options.log;
    this.client = new Etcd3({
      hosts: options.endpoints,
      dialTimeout: 3000,
      // Unary calls never hang on a member that vanished; streams (watches) are followed by the probe.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 3000 }),
      faultHandling: {
        host: () =>
          circuitBreaker(handleWhen(isRecoverableError), {
            halfOpenAfter: 1000,
            breaker: new ConsecutiveBreaker(3),
          }),
        global: retry(handleWhen(isRecoverableError), { maxAttempts: 2 }),
        // A watch comes back within a second of etcd answering again (the default waits up to 30 s).
        watchBackoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }).next(),
      },
    });
  }

  /** Whether a quorum answered this replica's last probes. */
  get current(): boolean {
    return this.#current;
  }

  onChange(listener: (current: boolean) => void): () => void {
    this.#healthListeners.add(listener);
    return () => this.#healthListeners.delete(listener);
  }

  /** Runs after etcd answers again and before the replica counts as current (relists, re-puts). */
  onResync(hook: () => Promise<void>): void {
    this.#resyncHooks.push(hook);
  }

  /** Runs whenever a new replica lease is granted (the first, and any after a loss). */
  onLease(hook: (leaseId: string) => Promise<void>): void {
    this.#leaseHooks.push(hook);
  }

  /** The id of the replica's lease, granted on first use and again after it was lost. */
  leaseId(): Promise<string> {
    if (this.#closed) return Promise.reject(new Error('etcd session is closed'));
    this.#leaseId ??= this.#grant();
    return this.#leaseId;
  }

  /** Waits for etcd to answer (up to `timeoutMs`), then probes every `probeMs`. */
  async start(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.#probe();
        break;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`etcd does not answer at ${this.#endpointsText()}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await this.leaseId();
    this.#setCurrent(true);
    this.#schedule();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#probeTimer);
    const lease = this.#lease;
    this.#lease = undefined;
    // Not revoked: this replica's registrations stay until the lease expires, time enough for their
    // instances to reconnect to another replica, which takes them over without a gap.
    lease?.release();
    this.client.close();
  }

  #endpointsText(): string {
    return (this.client as unknown as { pool?: { hosts?: string[] } }).pool?.hosts?.join(',') ?? 'etcd';
  }

  #grant(): Promise<string> {
    const lease = this.client.lease(this.#ttl, { autoKeepAlive: true });
    this.#lease = lease;
    lease.on('lost', (err) => {
      if (this.#lease !== lease) return;
      this.#log('warn', 'etcd lease of this replica lost: its registrations are gone until re-put', {
        error: String(err),
      });
      this.#lease = undefined;
      this.#leaseId = undefined;
      this.#failures = Math.max(this.#failures, 3);
      this.#setCurrent(false);
    });
    return lease.grant().then(async (id) => {
      for (const hook of this.#leaseHooks) await hook(id);
      return id;
    });
  }

  #probe(): Promise<unknown> {
    // A linearizable read: only a member in the quorum can answer it.
    return this.client
      .get(`${this.prefix}/config-version`)
      .options({ deadline: Date.now() + this.#probeMs })
      .exec();
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#probeTimer = setTimeout(() => void this.#tick(), this.#probeMs);
    this.#probeTimer.unref();
  }

  async #tick(): Promise<void> {
    try {
      await this.#probe();
      this.#failures = 0;
      if (!this.#current) await this.#recover();
    } catch (err) {
      this.#failures++;
      if (this.#failures >= 3 && this.#current) {
        this.#log('warn', 'etcd unreachable: this replica stops serving until it is back', {
          error: String(err),
        });
        this.#setCurrent(false);
      }
    } finally {
      this.#schedule();
    }
  }

  /** etcd answers again: a lease (new if it was lost), fresh views, then serving. */
  async #recover(): Promise<void> {
    try {
      await this.leaseId();
      for (const hook of this.#resyncHooks) await hook();
      if (this.#closed) return;
      this.#log('info', 'etcd reachable again: views resynced, serving');
      this.#setCurrent(true);
    } catch (err) {
      this.#leaseId = this.#lease ? this.#leaseId : undefined;
      this.#log('warn', 'etcd answered but resync failed; retrying', { error: String(err) });
    }
  }

  #setCurrent(current: boolean): void {
    if (this.#current === current) return;
    this.#current = current;
    for (const listener of [...this.#healthListeners]) listener(current);
  }
}
