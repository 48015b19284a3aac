// Live state from the admin API's server-sent events (GET /api/events): the status, the xDS
// clients and the traffic report, each replaced when the control plane sends a new one, and the
// last config change. EventSource reconnects by itself; `connected` says whether it is up.

import { signal } from '@preact/signals';
import type { ConfigChangeEvent, StatusAnswer } from '@shoal/control-plane/admin-api';
import type { ClientStatus } from './proxies.js';
import type { TrafficReport } from './traffic.js';

/** The admin API's status, with who may write (`auth`, read by auth.ts). */
export type Status = StatusAnswer;
export type { ConfigChangeEvent };

export const status = signal<Status | null>(null);
export const clients = signal<ClientStatus[]>([]);
export const traffic = signal<TrafficReport | null>(null);
export const lastChange = signal<ConfigChangeEvent | null>(null);
export const registryVersion = signal(0);
export const connected = signal(false);

let source: EventSource | undefined;

export function connectLive(): void {
  if (source) return;
  source = new EventSource('/api/events');
  source.onopen = () => (connected.value = true);
  source.onerror = () => (connected.value = false);
  const on = <T>(event: string, apply: (data: T) => void) =>
    source!.addEventListener(event, (e) => apply(JSON.parse((e as MessageEvent<string>).data) as T));
  on<Status>('status', (s) => {
    status.value = s;
    registryVersion.value = s.registryVersion;
  });
  on<{ clients: ClientStatus[] }>('clients', (c) => (clients.value = c.clients));
  on<TrafficReport>('traffic', (t) => (traffic.value = t));
  on<ConfigChangeEvent>('config', (c) => (lastChange.value = c));
}
