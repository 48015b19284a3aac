// The service registry: services by host, their instances, and interface-level discovery.

import type { RegistryEndpoint, RegistryService } from '@shoal/control-plane';
import { get } from './http.js';

export type { RegistryEndpoint as Endpoint, RegistryService as Service } from '@shoal/control-plane';

export interface InterfaceTargets {
  name: string;
  targets: { interface: string; hostname: string; namespace: string; port: number }[];
}

export const listServices = () =>
  get<{ items: RegistryService[] }>('/api/registry/services').then((r) => r.items);
export const listEndpoints = (host?: string) =>
  get<{ items: RegistryEndpoint[] }>('/api/registry/endpoints', { host }).then((r) => r.items);
export const listInterfaces = () =>
  get<{ items: InterfaceTargets[] }>('/api/registry/interfaces').then((r) => r.items);

/** The app of a host: its first DNS label (`greeter.default.svc.cluster.local` → `greeter`). */
export const appOf = (hostname: string) => hostname.split('.')[0] ?? hostname;
