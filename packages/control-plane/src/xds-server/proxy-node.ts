// The client of an ADS stream, read from the Node of its first request the way istiod reads it:
// its id, namespace, locality, addresses and labels (what the translator builds its resources for).
// Envoy: config.core.v3.Node; Istio: node id `sidecar~IP~pod.ns~ns.svc.cluster.local`,
// metadata NAMESPACE and INSTANCE_IPS.

import type { JsonObject } from '@bufbuild/protobuf';
import type { XdsLocality } from '@shoal/xds';
import { DEFAULT_NAMESPACE } from '../config/config-object.js';

export interface ProxyNode {
  id: string;
  namespace: string;
  /** `region/zone/subzone` (every part, even empty ones), or '' when the client did not say. */
  locality: string;
  ips: string[];
  metadata: JsonObject;
  /** Workload labels: metadata LABELS (Istio) merged with SHOAL_LABELS. */
  labels: Record<string, string>;
  userAgent: string;
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
  return {
    id: node.id,
    namespace,
    locality,
    ips: ipsText
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    metadata,
    labels: { ...labelsField(metadata.LABELS), ...labelsField(metadata.SHOAL_LABELS) },
    userAgent: [node.userAgentName ?? '', version].filter(Boolean).join('/'),
  };
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
