// Per-client xDS status: what each connected client subscribed to, what it was sent, what it
// ACKed and the last NACK with its message. The admin API and `shoal proxy-status` read it.
// Istio: istioctl proxy-status (SYNCED / STALE / NACKED / NOT SENT); Envoy: CSDS ClientResourceStatus.

import type { ProxyNode } from '../translate/proxy-node.js';
import type { ShortType } from './type-names.js';

export type SyncState = 'SYNCED' | 'STALE' | 'NACKED' | 'NOT SENT';

export interface NackInfo {
  version: string;
  nonce: string;
  message: string;
  code: number;
  at: string;
}

export interface TypeStatus {
  typeUrl: string;
  wildcard: boolean;
  subscribed: string[];
  /** Version (and nonce) of the last response sent. */
  sentVersion?: string;
  sentNonce?: string;
  sentAt?: string;
  /** Names in the last response (SotW) or held by the client (delta). */
  sentNames: string[];
  ackedVersion?: string;
  ackedAt?: string;
  lastNack?: NackInfo;
  /** Requests ignored because their nonce was not the latest. */
  staleRequests: number;
  state: SyncState;
}

export interface ClientStatus {
  /** Unique per stream: a node may reconnect while its old stream drains. */
  streamId: number;
  nodeId: string;
  protocol: 'sotw' | 'delta';
  peer: string;
  connectedSince: string;
  namespace: string;
  locality: string;
  userAgent: string;
  types: Partial<Record<ShortType, TypeStatus>>;
}

export function syncState(
  t: Pick<TypeStatus, 'sentVersion' | 'sentNonce' | 'ackedVersion' | 'lastNack'>,
): SyncState {
  if (t.sentVersion === undefined) return 'NOT SENT';
  if (t.lastNack && t.lastNack.nonce === t.sentNonce) return 'NACKED';
  return t.ackedVersion === t.sentVersion ? 'SYNCED' : 'STALE';
}

export function emptyTypeStatus(typeUrl: string): TypeStatus {
  return { typeUrl, wildcard: false, subscribed: [], sentNames: [], staleRequests: 0, state: 'NOT SENT' };
}

export function clientHeader(
  streamId: number,
  protocol: 'sotw' | 'delta',
  peer: string,
  node: ProxyNode,
): ClientStatus {
  return {
    streamId,
    nodeId: node.id,
    protocol,
    peer,
    connectedSince: new Date().toISOString(),
    namespace: node.namespace,
    locality: node.locality,
    userAgent: node.userAgent,
    types: {},
  };
}
