// Per-client xDS status: what each connected client subscribed to, what it was sent, what it
// ACKed and the last NACK with its message. The admin API and `shoal proxy-status` read it.
// Istio: istioctl proxy-status (SYNCED / STALE / NACKED / NOT SENT); Envoy: CSDS ClientResourceStatus.

import type { X509Certificate } from 'node:crypto';
import { sanEntries } from '@shoal/xds/plugins';
import { type ClientIdentity, describeClient } from '../translate/client-identity.js';
import type { ProxyKind, ProxyNode } from './proxy-node.js';
import type { ShortType } from './type-names.js';

/** Whether a client has ACKed the latest version of a resource type. */
export type SyncState = 'SYNCED' | 'STALE' | 'NACKED' | 'NOT SENT';

/** The last NACK of a resource type: version, nonce, the client's message and when. */
export interface NackInfo {
  version: string;
  nonce: string;
  message: string;
  code: number;
  at: string;
}

/** A client's state for one resource type. */
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

/**
 * One connected xDS client as the control plane sees it: node, stream, and per resource type what was sent
 * and ACKed.
 */
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
  /** How the stream's connection is secured: plaintext, or mTLS with the client's identity. */
  transport: { security: 'plaintext' | 'mTLS'; identity?: string; serialNumber?: string; notAfter?: string };
  /** `sidecar`: an Envoy sidecar, sent istiod's sidecar resources; `proxyless` otherwise. */
  proxyType: ProxyKind;
  /** The implementation and release read from the user agent, with `description` for people. */
  client: ClientIdentity & { description: string };
  types: Partial<Record<ShortType, TypeStatus>>;
}

export function syncState(
  t: Pick<TypeStatus, 'sentVersion' | 'sentNonce' | 'ackedVersion' | 'lastNack'>,
): SyncState {
  if (t.sentVersion === undefined) return 'NOT SENT';
  if (t.lastNack && t.lastNack.nonce === t.sentNonce) return 'NACKED';
  return t.ackedVersion === t.sentVersion ? 'SYNCED' : 'STALE';
}

/**
 * What a session keeps per type for the status: the few fields that cannot be derived from its
 * subscription and resources. The TypeStatus is built from it only when someone reads it, so a
 * stream does not carry ready-made status strings and arrays (timestamps are epoch ms here).
 */
export interface TypeRecord {
  sentVersion?: string;
  sentNonce?: string;
  sentAt?: number;
  ackedVersion?: string;
  ackedAt?: number;
  lastNack?: NackInfo;
  staleRequests: number;
}

export function typeStatus(
  typeUrl: string,
  record: TypeRecord,
  subscription: { wildcard: boolean; names: Iterable<string> },
  sentNames: string[],
): TypeStatus {
  const t: TypeStatus = {
    typeUrl,
    wildcard: subscription.wildcard,
    subscribed: [...subscription.names].sort(),
    sentNames,
    staleRequests: record.staleRequests,
    state: syncState(record),
  };
  if (record.sentVersion !== undefined) t.sentVersion = record.sentVersion;
  if (record.sentNonce !== undefined) t.sentNonce = record.sentNonce;
  if (record.sentAt !== undefined) t.sentAt = new Date(record.sentAt).toISOString();
  if (record.ackedVersion !== undefined) t.ackedVersion = record.ackedVersion;
  if (record.ackedAt !== undefined) t.ackedAt = new Date(record.ackedAt).toISOString();
  if (record.lastNack) t.lastNack = { ...record.lastNack };
  return t;
}

export function clientStatus(
  streamId: number,
  protocol: 'sotw' | 'delta',
  peer: string,
  connectedAt: number,
  node: ProxyNode,
  types: Partial<Record<ShortType, TypeStatus>>,
  peerCertificate?: X509Certificate,
): ClientStatus {
  return {
    streamId,
    nodeId: node.id,
    protocol,
    peer,
    connectedSince: new Date(connectedAt).toISOString(),
    namespace: node.namespace,
    locality: node.locality,
    userAgent: node.userAgent,
    transport: peerCertificate
      ? {
          security: 'mTLS',
          identity: sanEntries(peerCertificate.subjectAltName).uri[0] ?? peerCertificate.subject,
          serialNumber: peerCertificate.serialNumber.toLowerCase(),
          notAfter: new Date(peerCertificate.validTo).toISOString(),
        }
      : { security: 'plaintext' },
    proxyType: node.kind,
    client: { ...node.client, description: describeClient(node.client) },
    types,
  };
}
