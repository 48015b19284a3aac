// What the mesh suite runs on: the `bench` app (three self-registering providers, two versions),
// its subsets, and routes in front of a weighted split, as a typical VirtualService has them (a
// header route and a method route first, which the benchmark's calls fall through). Plus the
// gRPC-format bootstrap that Shoal's and grpc-js-xds's clients both read.
// Istio: networking.v1 DestinationRule, VirtualService; gRFC A27 (bootstrap).

export const APP = 'bench';
export const HOST = `${APP}.default.svc.cluster.local`;
export const NAMESPACE = 'default';

/** Provider addresses (one port shared, as pods of a service) and their version labels. */
export const PROVIDERS = [
  { id: 'p1', ip: '127.0.0.11', version: 'v1' },
  { id: 'p2', ip: '127.0.0.12', version: 'v1' },
  { id: 'p3', ip: '127.0.0.13', version: 'v2' },
] as const;

/** Percent of calls the weighted route sends to subset v1 (two endpoints); the rest go to v2. */
export const V1_WEIGHT = 70;

/** A request header the first route matches (`true` → subset v2). */
export const CANARY_HEADER = 'x-canary';

export const ROUTING_YAML = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ${APP}, namespace: ${NAMESPACE} }
spec:
  host: ${HOST}
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${APP}, namespace: ${NAMESPACE} }
spec:
  hosts: [${HOST}]
  http:
  - name: canary-header
    match: [{ headers: { ${CANARY_HEADER}: { exact: "true" } } }]
    route: [{ destination: { host: ${HOST}, subset: v2 } }]
  - name: admin-methods
    match: [{ uri: { prefix: /shoal.bench.v1.AdminService/ } }]
    route: [{ destination: { host: ${HOST}, subset: v1 } }]
  - name: weighted
    route:
    - destination: { host: ${HOST}, subset: v1 }
      weight: ${V1_WEIGHT}
    - destination: { host: ${HOST}, subset: v2 }
      weight: ${100 - V1_WEIGHT}
`;

/** The bootstrap JSON (gRPC's format) for a client or provider of the control plane at `xdsPort`. */
export function bootstrapJson(xdsPort: number, name: string): Record<string, unknown> {
  return {
    xds_servers: [
      {
        server_uri: `127.0.0.1:${xdsPort}`,
        channel_creds: [{ type: 'insecure' }],
        server_features: ['xds_v3'],
      },
    ],
    node: {
      id: `sidecar~127.0.0.1~${name}.${NAMESPACE}~${NAMESPACE}.svc.cluster.local`,
      metadata: { NAMESPACE },
      // grpc-js-xds refuses a node without one.
      locality: { region: 'region-1', zone: 'zone-a' },
    },
    server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
  };
}

export const target = (port: number) => `xds:///${HOST}:${port}`;
