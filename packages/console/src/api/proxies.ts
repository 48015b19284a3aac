// xDS clients: their sync status per type (proxy-status), and what one client was sent (its
// config dump), with the NACKs it sent back.

import { get } from './http.js';

export type SyncState = 'SYNCED' | 'STALE' | 'NACKED' | 'NOT SENT';
export const TYPES = ['LDS', 'RDS', 'CDS', 'EDS', 'SDS'] as const;

export interface TypeStatus {
  subscribed: string[];
  wildcard: boolean;
  sentVersion?: string;
  sentAt?: string;
  ackedVersion?: string;
  ackedAt?: string;
  lastNack?: { version: string; nonce: string; message: string; code: number; at: string };
  state: SyncState;
}

export interface ClientStatus {
  streamId: number;
  nodeId: string;
  protocol: string;
  peer: string;
  connectedSince: string;
  namespace: string;
  locality: string;
  userAgent: string;
  types: Partial<Record<string, TypeStatus>>;
}

export interface DumpResource {
  name: string;
  version: string;
  typeUrl: string;
  resource: Record<string, unknown>;
}

export interface ConfigDump {
  proxy: string;
  streams: { status: ClientStatus; resources: Partial<Record<string, DumpResource[]>> }[];
}

export const configDump = (nodeId: string) => get<ConfigDump>('/debug/config_dump', { proxy: nodeId });

/** The worst state of a client over its types: NACKED, then STALE, then SYNCED. */
export function overallState(c: ClientStatus): SyncState {
  const states = Object.values(c.types).map((t) => t?.state);
  if (states.includes('NACKED')) return 'NACKED';
  if (states.includes('STALE')) return 'STALE';
  if (states.includes('SYNCED')) return 'SYNCED';
  return 'NOT SENT';
}
