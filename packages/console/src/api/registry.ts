// The service registry: services by host, their instances, and interface-level discovery.

import { get } from './http.js';

export interface Service {
  hostname: string;
  namespace: string;
  ports: { name: string; number: number; protocol?: string }[];
  interfaces: string[];
  source: string;
  resolution: string;
}

export interface Endpoint {
  hostname: string;
  servicePort: number;
  address: string;
  port: number;
  labels: Record<string, string>;
  locality?: string;
  weight: number;
  health: 'HEALTHY' | 'UNHEALTHY' | 'DRAINING';
  interfaces: string[];
  origin: string;
  namespace: string;
}

export interface InterfaceTargets {
  name: string;
  targets: { interface: string; hostname: string; namespace: string; port: number }[];
}

export const listServices = () => get<{ items: Service[] }>('/api/registry/services').then((r) => r.items);
export const listEndpoints = (host?: string) =>
  get<{ items: Endpoint[] }>('/api/registry/endpoints', { host }).then((r) => r.items);
export const listInterfaces = () =>
  get<{ items: InterfaceTargets[] }>('/api/registry/interfaces').then((r) => r.items);

/** The app of a host: its first DNS label (`greeter.default.svc.cluster.local` → `greeter`). */
export const appOf = (hostname: string) => hostname.split('.')[0] ?? hostname;
