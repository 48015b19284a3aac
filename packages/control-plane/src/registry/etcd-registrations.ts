// Self-registrations in etcd, shared by every control-plane replica. One key per instance
// (`<prefix>/registrations/<node id>`, JSON {registration, replica, endedAt?}) attached to the lease
// of the replica holding the instance's ADS stream: that replica's one keep-alive keeps all of its
// instances, and if the replica dies they go when its lease expires. When the stream moves (the
// replica died, or the client fell back to another), the new replica writes the key on its own
// lease: the registration is taken over before the old lease expires, and the instance never
// disappears. A stream that ends marks its key `endedAt`; the elected leader deletes keys whose grace
// period has passed (sweep). Every replica watches the prefix and reports each change.
// Istio: WorkloadGroup auto-registration with a grace period; etcd: leases, Txn (compare lease).

import type { Fence } from '../backends/etcd-election-term.js';
import { EtcdPrefixWatch, type PrefixKv } from '../backends/etcd-prefix-watch.js';
import type { EtcdSession } from '../backends/etcd-session.js';
import type { BackendLogger } from '../backends/store-backends.js';
import { canonicalJson } from '../config/canonical-json.js';
import type { RegistrationChange, RegistrationStore } from './registration-store.js';
import type { RegisteredInstance, RegistrationLease } from './registry-types.js';

export interface EtcdRegistrationsOptions {
  session: EtcdSession;
  /** How long an instance whose stream ended stays registered. Default 10 s. */
  graceMs?: number;
  log: BackendLogger;
}

interface StoredRegistration {
  registration: RegisteredInstance;
  /** The replica that holds (or last held) the instance's stream. */
  replica: string;
  /** When the stream ended (epoch ms); absent while it lives. */
  endedAt?: number;
}

interface Held extends StoredRegistration {
  modRevision: number;
  lease: string;
}

interface Live {
  registration: RegisteredInstance;
  token: symbol;
}

export class EtcdRegistrations implements RegistrationStore {
  readonly description: string;
  private readonly session: EtcdSession;
  private readonly graceMs: number;
  private readonly log: BackendLogger;
  private readonly prefix: string;
  private readonly watch: EtcdPrefixWatch;
  /** Every registration in etcd, by node id. */
  private readonly held = new Map<string, Held>();
  /** The instances whose stream lives on this replica (re-put on a new lease). */
  private readonly live = new Map<string, Live>();
  private onChange: (change: RegistrationChange) => void = () => {};
  private versionValue = 0;

  constructor(options: EtcdRegistrationsOptions) {
    this.session = options.session;
    this.graceMs = options.graceMs ?? 10_000;
    this.log = options.log;
    this.prefix = `${options.session.prefix}/registrations/`;
    this.description = `etcd, on the lease of the replica holding each stream (${this.prefix})`;
    this.watch = new EtcdPrefixWatch(options.session.client, this.prefix, {
      reset: (revision, kvs) => this.reset(revision, kvs),
      changes: (revision, changes) => {
        for (const c of changes)
          this.set(decodeURIComponent(c.key), c.kv ? this.parse(c.kv) : undefined, revision);
      },
      onError: (err) =>
        this.log('warn', 'etcd registrations watch failed; listing again', { error: String(err) }),
    });
    // A new replica lease (the old one expired while etcd was out of reach): put our instances back.
    this.session.onLease(async (leaseId) => {
      await Promise.all([...this.live.values()].map((l) => this.put(l.registration, leaseId)));
    });
    this.session.onResync(() => this.watch.resync());
  }

  get version(): number {
    return this.versionValue;
  }

  async start(onChange: (change: RegistrationChange) => void): Promise<void> {
    this.onChange = onChange;
    await this.watch.start();
  }

  registrations(): readonly RegisteredInstance[] {
    return [...this.held.values()].map((h) => h.registration);
  }

  async register(registration: RegisteredInstance): Promise<RegistrationLease> {
    const nodeId = registration.nodeId;
    const token = Symbol(nodeId);
    this.live.set(nodeId, { registration: structuredClone(registration), token });
    const leaseId = await this.session.leaseId();
    const current = this.held.get(nodeId);
    const same =
      current?.lease === leaseId &&
      current.endedAt === undefined &&
      canonicalJson(current.registration) === canonicalJson(registration);
    if (!same) await this.put(registration, leaseId);
    const mine = () => this.live.get(nodeId)?.token === token;
    return {
      nodeId,
      end: () => {
        if (!mine()) return;
        this.live.delete(nodeId);
        void this.markEnded(registration, leaseId);
      },
      remove: () => {
        if (!mine()) return;
        this.live.delete(nodeId);
        void this.ifOnLease(nodeId, leaseId, this.session.client.delete().key(this.key(nodeId)));
      },
    };
  }

  /**
   * The leader's duty: deletes registrations whose stream ended more than the grace period ago,
   * each only if it has not changed since (an instance that came back keeps its key).
   */
  async sweep(fence: Fence, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const [nodeId, held] of this.held) {
      if (held.endedAt === undefined || now - held.endedAt < this.graceMs) continue;
      // Fenced: etcd deletes only while the sweeping replica's election key is still the one it led with.
      const res = await this.session.client
        .if(this.key(nodeId), 'Mod', '==', held.modRevision)
        .and(fence.key, 'Create', '==', fence.createRevision)
        .then(this.session.client.delete().key(this.key(nodeId)))
        .commit();
      if (res.succeeded) removed++;
    }
    return removed;
  }

  async close(): Promise<void> {
    this.live.clear();
    await this.watch.close();
  }

  private key(nodeId: string): string {
    return this.prefix + encodeURIComponent(nodeId);
  }

  private put(registration: RegisteredInstance, leaseId: string): Promise<unknown> {
    const value: StoredRegistration = { registration, replica: this.session.replicaId };
    return this.session.client
      .put(this.key(registration.nodeId))
      .value(JSON.stringify(value))
      .lease(leaseId)
      .exec();
  }

  /** The stream ended: the key stays (on this replica's lease) with endedAt, for the leader to sweep. */
  private async markEnded(registration: RegisteredInstance, leaseId: string): Promise<void> {
    const value: StoredRegistration = { registration, replica: this.session.replicaId, endedAt: Date.now() };
    const put = this.session.client
      .put(this.key(registration.nodeId))
      .value(JSON.stringify(value))
      .lease(leaseId);
    await this.ifOnLease(registration.nodeId, leaseId, put);
  }

  /** Runs `op` only while the key is on `leaseId`: a registration another replica took over is left alone. */
  private async ifOnLease(
    nodeId: string,
    leaseId: string,
    op: Parameters<ReturnType<EtcdSession['client']['if']>['then']>[0],
  ): Promise<void> {
    try {
      await this.session.client.if(this.key(nodeId), 'Lease', '==', leaseId).then(op).commit();
    } catch (err) {
      // etcd out of reach: the key goes with this replica's lease, or the new holder overwrites it.
      this.log('warn', 'etcd: ending a registration failed', { node: nodeId, error: String(err) });
    }
  }

  private parse(kv: PrefixKv): Held | undefined {
    try {
      const stored = JSON.parse(kv.value.toString()) as StoredRegistration;
      if (!stored?.registration?.nodeId) throw new Error('no registration.nodeId');
      return { ...stored, modRevision: kv.modRevision, lease: kv.lease };
    } catch (err) {
      this.log('warn', 'etcd: ignoring a registration that cannot be read', {
        key: kv.key,
        error: String(err),
      });
      return undefined;
    }
  }

  private reset(revision: number, kvs: PrefixKv[]): void {
    const seen = new Set<string>();
    for (const kv of kvs) {
      const nodeId = decodeURIComponent(kv.key);
      seen.add(nodeId);
      this.set(nodeId, this.parse(kv), revision, true);
    }
    for (const nodeId of [...this.held.keys()]) if (!seen.has(nodeId)) this.set(nodeId, undefined, revision);
  }

  private set(nodeId: string, next: Held | undefined, revision: number, listing = false): void {
    const previous = this.held.get(nodeId);
    if (next) this.held.set(nodeId, next);
    else this.held.delete(nodeId);
    const before = previous && canonicalJson(previous.registration);
    const after = next && canonicalJson(next.registration);
    if (before === after) return; // the same instance (another lease, an end mark): no change of the view
    this.versionValue = Math.max(this.versionValue + 1, listing ? this.versionValue + 1 : revision);
    const hostnames = [...new Set([previous?.registration.hostname, next?.registration.hostname])].filter(
      (h): h is string => h !== undefined,
    );
    this.onChange({ reason: next ? 'registered' : 'expired', nodeId, hostnames });
  }
}
