// The client of an ADS stream, read from the Node of its first request the way istiod reads it:
// its id, namespace, locality, addresses and labels (what the translator builds its resources for),
// and whether it is an Envoy sidecar or a proxyless client.
// Envoy: config.core.v3.Node; Istio: node id `sidecar~IP~pod.ns~ns.svc.cluster.local`,
// metadata NAMESPACE, INSTANCE_IPS and GENERATOR (`grpc` for proxyless gRPC, as grpc-agent writes).

import type { JsonObject } from '@bufbuild/protobuf';
import type { XdsLocality } from '@shoal/xds';
import { DEFAULT_NAMESPACE } from '../config/config-object.js';
import {
  type ClientCapabilities,
  type ClientIdentity,
  clientCapabilities,
  identifyClient,
} from '../translate/client-identity.js';

/**
 * What the node is sent: `sidecar` gets istiod's sidecar resources (socket listeners on 15001
 * and 15006, per-port routes), `proxyless` the API listeners gRPC reads.
 */
export type ProxyKind = 'sidecar' | 'proxyless';

export interface ProxyNode {
  id: string;
  kind: ProxyKind;
  /** The workload's DNS domain (`ns.svc.cluster.local`, the node id's last part), for route domains. */
  dnsDomain: string;
  namespace: string;
  /** `region/zone/subzone` (every part, even empty ones), or '' when the client did not say. */
  locality: string;
  ips: string[];
  metadata: JsonObject;
  /** Workload labels: metadata LABELS (Istio) merged with SHOAL_LABELS. */
  labels: Record<string, string>;
  userAgent: string;
  /** The implementation and release, from the user agent. */
  client: ClientIdentity;
  /** What the client reads where clients differ (see client-identity.ts). */
  capabilities: ClientCapabilities;
}

export interface NodeLike {
  id: string;
  metadata?: JsonObject;
  locality?: XdsLocality;
  userAgentName?: string;
  userAgentVersionType?: { case: 'userAgentVersion'; value: string } | { case: undefined; value?: undefined };
}

export function proxyNodeOf(node: NodeLike): ProxyNode {
  const metadata = node.metadata ?? {};
  const parts = node.id.split('~');
  const fromId = parts.length === 4 ? parts[2]?.split('.')[1] : undefined;
  const namespace = stringField(metadata, 'NAMESPACE') ?? (fromId || undefined) ?? DEFAULT_NAMESPACE;
  const ipsText = stringField(metadata, 'INSTANCE_IPS') ?? (parts.length === 4 ? parts[1] : undefined) ?? '';
  const loc = node.locality;
  const locality =
    loc && (loc.region || loc.zone || loc.subZone) ? `${loc.region}/${loc.zone}/${loc.subZone}` : '';
  const version =
    node.userAgentVersionType?.case === 'userAgentVersion' ? node.userAgentVersionType.value : '';
  const client = identifyClient(node.userAgentName ?? '', version);
  return {
    id: node.id,
    kind: proxyKind(parts[0], metadata, node.userAgentName ?? ''),
    dnsDomain: (parts.length === 4 && parts[3]) || `${namespace}.svc.cluster.local`,
    namespace,
    locality,
    ips: ipsText
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    metadata,
    labels: { ...labelsField(metadata.LABELS), ...labelsField(metadata.SHOAL_LABELS) },
    userAgent: [node.userAgentName ?? '', version].filter(Boolean).join('/'),
    client,
    capabilities: clientCapabilities(client),
  };
}

/**
 * istiod's rule: a `sidecar~…` node is an Envoy sidecar unless it asks for the gRPC generator.
 * gRPC's and Shoal's clients are proxyless even when their bootstrap leaves GENERATOR out (the
 * user agent says what they are), so older bootstraps keep working.
 */
function proxyKind(type: string | undefined, metadata: JsonObject, userAgentName: string): ProxyKind {
  if (type !== 'sidecar' || metadata.GENERATOR === 'grpc') return 'proxyless';
  return /^(grpc|shoal)/i.test(userAgentName.trim()) ? 'proxyless' : 'sidecar';
}

/** An object of strings, or that object as a JSON string; anything else gives no labels. */
function labelsField(value: unknown): Record<string, string> {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return {};
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function stringField(metadata: JsonObject, key: string): string | undefined {
  const value = metadata[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
