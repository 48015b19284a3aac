// What the translator needs to know about the client asking: its id, namespace, locality and
// addresses, read from the xDS Node the way istiod reads it.
// Envoy: config.core.v3.Node; Istio: node id `sidecar~IP~pod.ns~ns.svc.cluster.local`,
// metadata NAMESPACE and INSTANCE_IPS.

import type { JsonObject } from '@bufbuild/protobuf';
import { DEFAULT_NAMESPACE } from '../config/config-object.js';

export interface ProxyNode {
  id: string;
  namespace: string;
  /** `region/zone/subzone`, or '' when the client did not say. */
  locality: string;
  ips: string[];
  metadata: JsonObject;
  userAgent: string;
}

export interface NodeLike {
  id: string;
  metadata?: JsonObject;
  locality?: { region: string; zone: string; subZone: string };
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
    userAgent: [node.userAgentName ?? '', version].filter(Boolean).join('/'),
  };
}

function stringField(metadata: JsonObject, key: string): string | undefined {
  const value = metadata[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
