// The one place the built-in store and registry backends are registered.

import { kubernetesBackend } from '../kubernetes/kubernetes-backend.js';
import { ZOOKEEPER_EXPECTED, zookeeperBackend } from '../registry/zookeeper/zookeeper-backend.js';
import { etcdBackend } from './etcd-backend.js';
import { memoryBackend } from './memory-backend.js';
import { RegistryBackends, storeRegistry } from './registry-backends.js';
import { StoreBackends } from './store-backends.js';

/** Registers memory (default) and the shared stores on `backends` (a new set when none is given). */
export function registerStoreBackends(backends = new StoreBackends()): StoreBackends {
  return backends
    .register('memory', memoryBackend)
    .register('etcd', etcdBackend)
    .register('kubernetes', kubernetesBackend);
}

/**
 * Registers the registries on `backends` (a new set when none is given): Dubbo's ZooKeeper, and the
 * registries the stores keep (etcd leases, Kubernetes' Services, this process's memory).
 */
export function registerRegistryBackends(backends = new RegistryBackends()): RegistryBackends {
  return backends
    .register('zookeeper', ZOOKEEPER_EXPECTED, (context) => zookeeperBackend(context))
    .register('etcd', 'etcd://HOST:PORT[,HOST:PORT...]', storeRegistry)
    .register('kubernetes', 'kubernetes', storeRegistry)
    .register('memory', 'memory', storeRegistry);
}
