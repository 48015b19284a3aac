// The one place the built-in store backends are registered.

import { kubernetesBackend } from '../kubernetes/kubernetes-backend.js';
import { etcdBackend } from './etcd-backend.js';
import { memoryBackend } from './memory-backend.js';
import { StoreBackends } from './store-backends.js';

/** Registers memory (default) and the shared stores on `backends` (a new set when none is given). */
export function registerStoreBackends(backends = new StoreBackends()): StoreBackends {
  return backends
    .register('memory', memoryBackend)
    .register('etcd', etcdBackend)
    .register('kubernetes', kubernetesBackend);
}
