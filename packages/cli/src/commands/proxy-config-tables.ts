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
        headers: ['NAME', 'TYPE', 'ADDRESS', 'ROUTE'],
        rows: resources.map(({ name, resource }) => {
          const api = obj(resource.apiListener);
          const hcm = obj(api.apiListener);
          const socket = obj(obj(resource.address).socketAddress);
          const route = obj(hcm.rds).routeConfigName ?? (hcm.routeConfig ? '(inline)' : '-');
          return [
            name,
            resource.apiListener ? 'CLIENT' : 'SERVER (inbound)',
            socket.address ? `${socket.address}:${socket.portValue}` : '-',
            String(route),
          ];
        }),
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
