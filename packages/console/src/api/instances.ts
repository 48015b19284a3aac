// Instances (the registry's endpoints) as the Instances view lists them. Disabling, enabling and
// draining an instance go here too once the admin API has them (the `shoal instance` endpoints).

import { type Endpoint, listEndpoints } from './registry.js';

export interface Instance extends Endpoint {
  /** `address:port`, the instance's identity in the views. */
  key: string;
  version: string;
  zone: string;
}

export async function listInstances(): Promise<Instance[]> {
  const endpoints = await listEndpoints();
  return endpoints.map((e) => ({
    ...e,
    key: e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`,
    version: e.labels.version ?? '',
    zone: e.locality?.split('/')[1] ?? '',
  }));
}
