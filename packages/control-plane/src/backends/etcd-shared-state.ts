// The control plane's own state in etcd, shared by every replica on the prefix (`<prefix>/state/`):
// values made once (the CA's root), by whichever replica comes first: the value is put only if
// the key was never created, in one transaction whose other branch reads what the winner put, so
// replicas that start together still end with one value; and values any replica writes (the
// workload tokens), followed by every replica with a list and a watch (etcd-prefix-watch.ts).
// etcd: Txn (compare create_revision = 0, then put, else range), Watch.

import { EtcdPrefixWatch } from './etcd-prefix-watch.js';
import type { EtcdSession } from './etcd-session.js';
import type { BackendLogger, SharedListener, SharedState } from './store-backends.js';

export class EtcdSharedState implements SharedState {
  readonly description: string;
  private readonly prefix: string;

  constructor(
    private readonly session: EtcdSession,
    store: string,
    private readonly log: BackendLogger,
  ) {
    this.prefix = `${session.prefix}/state/`;
    this.description = `${store} (keys ${this.prefix}…)`;
  }

  async createOnce(name: string, make: () => Promise<string>): Promise<{ value: string; created: boolean }> {
    const client = this.session.client;
    const key = this.prefix + name;
    const stored = await client.get(key).string();
    if (stored !== null) return { value: stored, created: false };
    const value = await make();
    const res = await client
      .if(key, 'Create', '==', 0)
      .then(client.put(key).value(value))
      .else(client.get(key))
      .commit();
    if (res.succeeded) return { value, created: true };
    const kv = res.responses[0]?.response_range?.kvs[0];
    if (!kv) throw new Error(`etcd: ${key} exists but could not be read`);
    return { value: kv.value.toString(), created: false };
  }

  async put(name: string, value: string | undefined): Promise<void> {
    const client = this.session.client;
    if (value === undefined) await client.delete().key(this.prefix + name);
    else await client.put(this.prefix + name).value(value);
  }

  async follow(prefix: string, listener: SharedListener): Promise<{ close(): Promise<void> }> {
    const watch = new EtcdPrefixWatch(this.session.client, this.prefix + prefix, {
      reset: (_revision, kvs) => listener.reset(new Map(kvs.map((kv) => [kv.key, kv.value.toString()]))),
      changes: (_revision, changes) => {
        for (const c of changes) listener.change(c.key, c.kv?.value.toString());
      },
      onError: (err) =>
        this.log('warn', `etcd watch of ${this.prefix + prefix} failed; listing again`, {
          error: String(err),
        }),
    });
    this.session.onResync(() => watch.resync());
    await watch.start();
    return watch;
  }
}
