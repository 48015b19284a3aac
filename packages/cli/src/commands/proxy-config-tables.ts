// Tables for `shoal proxy-config`, in istioctl's shape, from resources in protobuf JSON
// (Envoy's field names in lowerCamelCase, as the control plane's config_dump gives them).

import type { DumpedResource } from '@shoal/control-plane/admin-api';

export const resourceKinds = ['cluster', 'route', 'listener', 'endpoint'] as const;
export type ResourceKind = (typeof resourceKinds)[number];

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/** `outbound|9080|v1|reviews.default.svc.cluster.local` → its parts. */
function clusterParts(name: string) {
  const [direction, port, subset, host] = name.split('|');
  return host === undefined
    ? { direction: '-', port: '-', subset: '-', host: name }
    : { direction: direction!.toUpperCase(), port: port!, subset: subset || '-', host };
}

/** istiod's `filter_metadata.istio.config` path → `name.namespace`, as istioctl prints it. */
function destinationRuleOf(r: Json): string {
  const istio = obj(obj(obj(r.metadata).filterMetadata).istio);
  const config = typeof istio.config === 'string' ? istio.config : '';
  const m = /namespaces\/([^/]+)\/destination-rule\/([^/]+)$/.exec(config);
  return m ? `${m[2]}.${m[1]}` : '-';
}

/**
 * The outlier check a cluster's endpoints are under. Ejections happen in each client, so the
 * control plane knows the policy, not which endpoints a client has ejected right now.
 */
function outlierCheckOf(cluster: Json | undefined): string {
  if (!cluster) return '-';
  const od = cluster.outlierDetection;
  if (od === undefined) return 'off';
  const o = obj(od);
  const parts = [
    o.consecutive5xx !== undefined ? `5xx×${obj(o.consecutive5xx).value ?? o.consecutive5xx}` : '',
    o.consecutiveGatewayFailure !== undefined
      ? `gateway×${obj(o.consecutiveGatewayFailure).value ?? o.consecutiveGatewayFailure}`
      : '',
    typeof o.interval === 'string' ? `every ${o.interval}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' ') : 'on';
}

function matchText(match: Json): string {
  const path =
    match.prefix !== undefined ? `${match.prefix}*` : (match.path ?? obj(match.safeRegex).regex ?? '/*');
  const headers = arr(match.headers).map((h) => `${h.name}`);
  return headers.length ? `${path} [${headers.join(',')}]` : String(path);
}

function routeClusters(route: Json): string {
  const action = obj(route.route);
  if (typeof action.cluster === 'string') return action.cluster;
  const weighted = arr(obj(action.weightedClusters).clusters);
  if (weighted.length) return weighted.map((c) => `${c.name} ${c.weight ?? ''}`.trim()).join(', ');
  if (route.nonForwardingAction !== undefined) return '(non-forwarding)';
  return '-';
}

/**
 * One row per listener, and for a socket listener one per filter chain (as istioctl lists a
 * sidecar's): the chain's match and where it sends traffic (an RDS route config, an inline route
 * config's cluster, or a TCP proxy's cluster).
 */
function listenerRows(name: string, resource: Json): string[][] {
  if (resource.apiListener) {
    const hcm = obj(obj(resource.apiListener).apiListener);
    return [[name, 'CLIENT', '-', 'ALL', destinationOf([hcm])]];
  }
  const socket = obj(obj(resource.address).socketAddress);
  const address = socket.address ? `${socket.address}:${socket.portValue}` : '-';
  const direction = resource.trafficDirection === 'OUTBOUND' ? 'OUTBOUND' : 'INBOUND';
  // A sidecar's listeners are virtualOutbound/virtualInbound and 0.0.0.0_PORT; a proxyless
  // server's is its own inbound listener.
  const type =
    resource.useOriginalDst || /^(virtual|0\.0\.0\.0_)/.test(name)
      ? `SIDECAR ${direction}`
      : 'SERVER (inbound)';
  const chains = [
    ...arr(resource.filterChains),
    ...(resource.defaultFilterChain ? [obj(resource.defaultFilterChain)] : []),
  ];
  return chains.map((chain) => [
    chain.name ? `${name} ${chain.name}` : name,
    type,
    address,
    chainMatch(obj(chain.filterChainMatch), chain === resource.defaultFilterChain),
    destinationOf(arr(chain.filters).map((f) => obj(f.typedConfig))),
  ]);
}

function chainMatch(match: Json, isDefault: boolean): string {
  const parts = [
    match.destinationPort !== undefined ? `port=${match.destinationPort}` : '',
    typeof match.transportProtocol === 'string' ? match.transportProtocol : '',
    Array.isArray(match.applicationProtocols)
      ? `alpn=${(match.applicationProtocols as string[]).join(',')}`
      : '',
  ].filter(Boolean);
  return parts.join(' ') || (isDefault ? 'ALL (default)' : 'ALL');
}

/** The last filter that sends traffic somewhere: an HCM's routes, or a TCP proxy's cluster. */
function destinationOf(configs: Json[]): string {
  for (const c of [...configs].reverse()) {
    if (c.rds) return `Route: ${obj(c.rds).routeConfigName}`;
    if (c.routeConfig) {
      const clusters = arr(obj(c.routeConfig).virtualHosts).flatMap((vh) =>
        arr(vh.routes).map(routeClusters),
      );
      return `Inline Route: ${[...new Set(clusters)].join(', ') || '-'}`;
    }
    if (typeof c.cluster === 'string') return `Cluster: ${c.cluster}`;
  }
  return '-';
}

export function resourceRows(
  kind: ResourceKind,
  resources: DumpedResource[],
  /** The client's clusters, for the outlier check of its endpoints. */
  clusters: DumpedResource[] = [],
): { headers: string[]; rows: string[][] } {
  switch (kind) {
    case 'cluster':
      return {
        headers: ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'LB', 'DESTINATION RULE'],
        rows: resources.map(({ name, resource }) => {
          const p = clusterParts(name);
          return [
            p.host,
            p.port,
            p.subset,
            p.direction,
            String(resource.type ?? 'EDS'),
            String(resource.lbPolicy ?? 'ROUND_ROBIN'),
            destinationRuleOf(resource),
          ];
        }),
      };
    case 'listener':
      return {
        headers: ['NAME', 'TYPE', 'ADDRESS', 'MATCH', 'DESTINATION'],
        rows: resources.flatMap(({ name, resource }) => listenerRows(name, resource)),
      };
    case 'route':
      return {
        headers: ['NAME', 'VIRTUAL HOST', 'DOMAINS', 'MATCH', 'CLUSTERS'],
        rows: resources.flatMap(({ name, resource }) =>
          arr(resource.virtualHosts).flatMap((vh) =>
            arr(vh.routes).map((route) => [
              name,
              String(vh.name ?? '-'),
              Array.isArray(vh.domains) ? (vh.domains as string[]).join(',') : '-',
              matchText(obj(route.match)),
              routeClusters(route),
            ]),
          ),
        ),
      };
    case 'endpoint':
      return {
        headers: ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'LOCALITY', 'PRIORITY', 'WEIGHT', 'CLUSTER'],
        rows: resources.flatMap(({ name, resource }) => {
          const outlier = outlierCheckOf(clusters.find((c) => c.name === name)?.resource);
          return arr(resource.endpoints).flatMap((group) => {
            const locality = obj(group.locality);
            const where = [locality.region, locality.zone, locality.subZone].filter(Boolean).join('/') || '-';
            return arr(group.lbEndpoints).map((lb) => {
              const socket = obj(obj(obj(obj(lb.endpoint).address).socketAddress));
              return [
                `${socket.address}:${socket.portValue}`,
                String(lb.healthStatus ?? 'UNKNOWN'),
                outlier,
                where,
                String(group.priority ?? 0),
                String(lb.loadBalancingWeight ?? 1),
                name,
              ];
            });
          });
        }),
      };
  }
}
