// `--store kubernetes` (`shoal cp --kubernetes [--kubeconfig FILE] [--namespace NS]...`): config
// from the API server's Istio CRDs and GAMMA HTTPRoutes, services and endpoints from its Services,
// EndpointSlices and Pods; `shoal apply` writes CRDs through the API server. Self-registrations
// stay in this process (saved in the data dir), as with the memory store. Tested against a local
// server that speaks the Kubernetes list/watch protocol; it has not run against a real cluster.

import { KubeConfig } from '@kubernetes/client-node';
import type { BackendContext, StoreBackend } from '../backends/store-backends.js';
import { MemoryRegistrations } from '../registry/memory-registrations.js';
import { KubernetesConfigStore } from './kubernetes-config-store.js';
import { KubernetesServices } from './kubernetes-services.js';

export function kubernetesBackend(context: BackendContext): StoreBackend {
  const { dataDir, validator, graceMs, log } = context;
  const kubeconfig = new KubeConfig();
  const file = context.kubernetes?.kubeconfig;
  try {
    if (file) kubeconfig.loadFromFile(file);
    else kubeconfig.loadFromDefault();
  } catch (err) {
    throw new Error(`--kubeconfig ${file ?? '(default)'}: cannot be read: ${(err as Error).message}`);
  }
  if (!kubeconfig.getCurrentCluster())
    throw new Error(`--kubeconfig ${file ?? '(default)'}: no current cluster (set current-context)`);
  const namespaces = context.kubernetes?.namespaces ?? [];
  const warn = (message: string, fields?: Record<string, unknown>) => log('warn', message, fields);
  const config = new KubernetesConfigStore({ kubeconfig, namespaces, warn, ...(validator && { validator }) });
  const services = new KubernetesServices({
    kubeconfig,
    namespaces,
    onError: (what, err) => warn(`kubernetes: ${what} failed; listing again in 1 s`, { error: String(err) }),
  });
  return {
    config,
    registrations: new MemoryRegistrations({
      ...(dataDir && { dataDir }),
      ...(graceMs !== undefined && { graceMs }),
      onSaveError: (err) => warn('saving registrations failed', { error: String(err) }),
    }),
    sources: [services],
    start: async () => {},
    close: async () => {},
  };
}
