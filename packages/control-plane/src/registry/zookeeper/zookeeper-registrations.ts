// Self-registrations written to Dubbo's ZooKeeper as well: the registrations stay in the store's
// RegistrationStore (this process, or etcd with replicas), and each one is also published as
// Dubbo's provider URLs for as long as it is held, so Dubbo's consumers find Shoal's providers.
// Dubbo: ZookeeperRegistry.doRegister / doUnregister (ephemeral provider nodes).

import type { RegistrationChange, RegistrationStore } from '../registration-store.js';
import type { RegisteredInstance, RegistrationLease } from '../registry-types.js';
import type { ZooKeeperSource } from './zookeeper-source.js';

export class ZooKeeperRegistrations implements RegistrationStore {
  readonly #inner: RegistrationStore;
  readonly #zookeeper: ZooKeeperSource;

  constructor(inner: RegistrationStore, zookeeper: ZooKeeperSource) {
    this.#inner = inner;
    this.#zookeeper = zookeeper;
  }

  get description(): string {
    return `${this.#inner.description}, published to ${this.#zookeeper.description}`;
  }

  get version(): number {
    return this.#inner.version;
  }

  start(onChange: (change: RegistrationChange) => void): Promise<void> {
    return this.#inner.start((change) => {
      if (change.reason !== 'registered') void this.#zookeeper.unpublish(change.nodeId);
      onChange(change);
    });
  }

  registrations(): readonly RegisteredInstance[] {
    return this.#inner.registrations();
  }

  async register(registration: RegisteredInstance): Promise<RegistrationLease> {
    const lease = await this.#inner.register(registration);
    await this.#zookeeper.publish(registration);
    return lease;
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
