// Instances as the Instances view lists them (GET /api/instances: each endpoint with the health
// clients are sent, and what took it out of service), and taking one out by hand or putting it
// back (POST /api/instances/disable|enable, what `shoal instance` calls; ADMIN-API.md "Instances").

import type {
  DisabledInstance,
  DisableRequest,
  InstanceChange,
  InstanceList,
  InstanceView,
} from '@shoal/control-plane/admin-api';
import { get, request } from './http.js';

export type { DisabledInstance };

export interface Instance extends InstanceView {
  /** The host the instance serves. */
  hostname: string;
  version: string;
  zone: string;
}

export async function listInstances(): Promise<Instance[]> {
  const list = await get<InstanceList>('/api/instances');
  return list.items.map((i) => ({
    ...i,
    hostname: i.service,
    version: i.labels.version ?? '',
    zone: i.locality?.split('/')[1] ?? '',
  }));
}

/** Takes an instance (`IP:PORT`) out of service; `for` is a duration such as `30s` or `10m`. */
export const disableInstance = (body: DisableRequest) =>
  request<InstanceChange>('POST', '/api/instances/disable', { body });

export const enableInstance = (address: string) =>
  request<InstanceChange>('POST', '/api/instances/enable', { body: { address } });
