// `--registry zookeeper://HOST:PORT[,HOST:PORT...][/chroot]`: Dubbo's ZooKeeper as a registry
// backend. Its providers, instances and mapping are one more discovery source; its rules go into
// the config store; Shoal's registrations stay where the store keeps them and are published there.
// The control plane serves before ZooKeeper answers (`ready` says when it first read it).

import type { RegistryBackend, RegistryContext } from '../../backends/registry-backends.js';
import { ZooKeeperRegistrations } from './zookeeper-registrations.js';
import { ZooKeeperSource, type ZooKeeperSourceOptions } from './zookeeper-source.js';

/** What `--registry` says when it is not a ZooKeeper URL (and, first, of what it takes). */
export const ZOOKEEPER_EXPECTED = "zookeeper://HOST:PORT (Dubbo's ZooKeeper; Nacos is not supported)";

/** `zookeeper://HOST:PORT[,HOST:PORT][/chroot]` → the connect string. */
export function zookeeperConnect(url: string): string {
  const m = /^zookeeper:\/\/([^?#]+)$/.exec(url);
  if (!m?.[1] || m[1].startsWith('/'))
    throw new Error(`--registry ${JSON.stringify(url)}: expected ${ZOOKEEPER_EXPECTED}`);
  return m[1];
}

export interface ZooKeeperBackend extends RegistryBackend {
  readonly source: ZooKeeperSource;
}

export function zookeeperBackend(
  context: RegistryContext,
  options: Pick<ZooKeeperSourceOptions, 'sessionTimeoutMs' | 'namespace' | 'domainSuffix' | 'release'> = {},
): ZooKeeperBackend {
  const source = new ZooKeeperSource({
    ...options,
    connect: zookeeperConnect(context.registry),
    store: context.storeBackend.config,
    log: context.log,
  });
  return {
    source,
    registrations: new ZooKeeperRegistrations(context.storeBackend.registrations, source),
    sources: [source],
    ready: () => source.ready(),
    start: async () => {},
    close: async () => {}, // the registry closes its sources
  };
}
