// The admin API's registry endpoints (ADMIN-API.md, "Registry"): the services, endpoints and
// interfaces the control plane knows, from config and registrations.

import type { InterfaceTarget, RegistryEndpoint, RegistryService } from '../../registry/registry-types.js';

export type { InterfaceTarget, RegistryEndpoint, RegistryService };

/** `GET /api/registry/services`: 200. */
export interface RegistryServicesAnswer {
  items: readonly RegistryService[];
}

/** `GET /api/registry/endpoints[?host=FQDN]`: 200. */
export interface RegistryEndpointsAnswer {
  items: readonly RegistryEndpoint[];
}

/** `GET /api/registry/interfaces`: 200, each interface with the hosts and ports that serve it. */
export interface RegistryInterfacesAnswer {
  items: { name: string; targets: InterfaceTarget[] }[];
}
