// The service registry: services by host, their instances, and interface-level discovery.

import type {
  RegistryEndpointsAnswer,
  RegistryInterfacesAnswer,
  RegistryServicesAnswer,
} from '@shoal/control-plane/admin-api';
import { get } from './http.js';

export type {
  InstanceLease,
  RegistryEndpointAnswer as Endpoint,
  RegistryService as Service,
} from '@shoal/control-plane/admin-api';

export const listServices = () => get<RegistryServicesAnswer>('/api/registry/services').then((r) => r.items);
export const listEndpoints = (host?: string) =>
  get<RegistryEndpointsAnswer>('/api/registry/endpoints', { host }).then((r) => r.items);
export const listInterfaces = () =>
  get<RegistryInterfacesAnswer>('/api/registry/interfaces').then((r) => r.items);

/** The app of a host: its first DNS label (`greeter.default.svc.cluster.local` → `greeter`). */
export const appOf = (hostname: string) => hostname.split('.')[0] ?? hostname;
