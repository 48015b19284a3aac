// The admin API's registry endpoints (ADMIN-API.md, "Registry"): the services, endpoints and
// interfaces the control plane knows, from config and registrations.

import type { InterfaceTarget, RegistryEndpoint, RegistryService } from '../../registry/registry-types.js';

export type { InterfaceTarget, RegistryEndpoint, RegistryService };

/** `GET /api/registry/services`: 200. */
export interface RegistryServicesAnswer {
  items: readonly RegistryService[];
}

/** A self-registered instance's lease: its ADS stream (REGISTRATION.md). */
export interface InstanceLease {
  /** When it registered (its stream opened), ISO 8601. */
  registeredAt: string;
  /**
   * When the control plane last heard from it: the last request on its ADS stream (an ACK or a
   * NACK), else the stream's start; absent once the stream is gone.
   */
  lastHeardAt?: string;
  /** `live` while the stream is open; `ended`: gone, kept for a grace period until `expiresAt`. */
  state: 'live' | 'ended';
  expiresAt?: string;
}

/** An endpoint as the admin API answers it: with its lease when it registered itself over xDS. */
export interface RegistryEndpointAnswer extends RegistryEndpoint {
  lease?: InstanceLease;
}

/** `GET /api/registry/endpoints[?host=FQDN]`: 200. */
export interface RegistryEndpointsAnswer {
  items: readonly RegistryEndpointAnswer[];
}

/** `GET /api/registry/interfaces`: 200, each interface with the hosts and ports that serve it. */
export interface RegistryInterfacesAnswer {
  items: { name: string; targets: InterfaceTarget[] }[];
}
