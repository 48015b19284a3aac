// What an `outbound|port|subset|host` name stands for in one mesh view, as a client in a
// namespace sees it: the service, the port, the DestinationRule that applies and the subset.
// Undefined when any part does not exist (then neither the cluster nor its endpoints exist).
// Shared by proxyless and sidecar clusters and by their endpoints.
// Istio: model.ParseSubsetKey; DestinationRule selection per client namespace. Dubbo: the subsets
// its routers choose are named after their steps (../dubbo/dubbo-subsets.ts), not a DestinationRule.

import type { ConfigObject } from '../config/config-object.js';
import type { Subset } from '../config/networking-types.js';
import { withConfiguredLoadBalancer } from '../dubbo/cluster-policy.js';
import {
  type DubboStep,
  decodeDubboSubset,
  dubboSubsetEndpoints,
  isDubboSubset,
} from '../dubbo/dubbo-subsets.js';
import type { MeshEndpoint, MeshService, MeshServicePort } from './mesh-input.js';
import { type ClusterKey, clusterName, parseClusterName } from './resource-names.js';
import type { ServiceIndex } from './service-index.js';
import { type EffectivePolicy, effectivePolicy } from './traffic-policy.js';

export interface ClusterTarget {
  key: ClusterKey;
  service: MeshService;
  port: MeshServicePort;
  destinationRule?: ConfigObject<'DestinationRule'>;
  /** The DestinationRule's subset the name stands for. */
  subset?: Subset;
  /** Or the steps of a Dubbo router's subset. */
  dubboSteps?: DubboStep[];
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
  const dubboSteps = decodeDubboSubset(key.subset);
  if (isDubboSubset(key.subset) && !dubboSteps) return undefined;
  const subset =
    key.subset && !dubboSteps ? destinationRule?.spec.subsets?.find((s) => s.name === key.subset) : undefined;
  if (key.subset && !subset && !dubboSteps) return undefined;
  return {
    key,
    service,
    port,
    ...(destinationRule ? { destinationRule } : {}),
    ...(subset ? { subset } : {}),
    ...(dubboSteps ? { dubboSteps } : {}),
  };
}

/**
 * The traffic policy of a target's cluster: its DestinationRule's for the port and subset (a Dubbo
 * subset takes the port's), with the load balancer Dubbo's configurators name when it sets none.
 */
export function clusterPolicy(index: ServiceIndex, target: ClusterTarget): EffectivePolicy {
  const { key, destinationRule: dr } = target;
  const policy = effectivePolicy(dr, key.port, target.dubboSteps ? '' : key.subset);
  return withConfiguredLoadBalancer(policy, target.service.hostname, index);
}

/** The endpoints of a target's cluster: the port's, narrowed by the subset's labels or Dubbo's steps. */
export function clusterEndpoints(index: ServiceIndex, target: ClusterTarget): MeshEndpoint[] {
  const all = index.endpoints(target.service.hostname, target.key.port);
  if (target.dubboSteps)
    return dubboSubsetEndpoints(target.dubboSteps, all, index.dubbo, target.service.hostname);
  const selector = Object.entries(target.subset?.labels ?? {});
  return all.filter((ep) => selector.every(([k, v]) => ep.labels[k] === v));
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
