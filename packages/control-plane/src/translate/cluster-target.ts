// What an `outbound|port|subset|host` name stands for in one mesh view, as a client in a
// namespace sees it: the service, the port, the DestinationRule that applies and the subset.
// Undefined when any part does not exist (then neither the cluster nor its endpoints exist).
// Shared by proxyless and sidecar clusters and by their endpoints.
// Istio: model.ParseSubsetKey; DestinationRule selection per client namespace.

import type { ConfigObject } from '../config/config-object.js';
import type { Subset } from '../config/networking-types.js';
import type { MeshService, MeshServicePort } from './mesh-input.js';
import { type ClusterKey, clusterName, parseClusterName } from './resource-names.js';
import type { ServiceIndex } from './service-index.js';

export interface ClusterTarget {
  key: ClusterKey;
  service: MeshService;
  port: MeshServicePort;
  destinationRule?: ConfigObject<'DestinationRule'>;
  subset?: Subset;
}

export function resolveOutboundCluster(
  index: ServiceIndex,
  name: string,
  clientNamespace: string,
): ClusterTarget | undefined {
  const key = parseClusterName(name);
  if (key?.direction !== 'outbound') return undefined;
  const service = index.service(key.host);
  const port = service?.ports.find((p) => p.number === key.port);
  if (!service || !port) return undefined;
  const destinationRule = index.destinationRuleFor(service.hostname, clientNamespace);
  const subset = key.subset ? destinationRule?.spec.subsets?.find((s) => s.name === key.subset) : undefined;
  if (key.subset && !subset) return undefined;
  return {
    key,
    service,
    port,
    ...(destinationRule ? { destinationRule } : {}),
    ...(subset ? { subset } : {}),
  };
}

/** istiod names the DestinationRule a cluster came from; `shoal proxy-config cluster` shows it. */
export function destinationRulePath(dr: ConfigObject<'DestinationRule'> | undefined): string | undefined {
  return (
    dr &&
    `/apis/networking.istio.io/v1/namespaces/${dr.metadata.namespace}/destination-rule/${dr.metadata.name}`
  );
}

/** Every outbound cluster of the view: each service port, whole and per DestinationRule subset. */
export function outboundClusterNames(index: ServiceIndex): string[] {
  const out: string[] = [];
  for (const s of index.services) {
    const subsets = index.destinationRuleFor(s.hostname)?.spec.subsets ?? [];
    for (const p of s.ports) {
      out.push(clusterName(s.hostname, p.number));
      for (const subset of subsets) out.push(clusterName(s.hostname, p.number, subset.name));
    }
  }
  return out;
}
