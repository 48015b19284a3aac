// The config the control-plane benchmark pushes: one service (a ServiceEntry with three static
// workloads in two versions), its subsets, and a VirtualService that splits calls between them.
// Istio: networking.v1 ServiceEntry, WorkloadEntry, DestinationRule, VirtualService.

export const SERVICE_HOST = 'reviews.default.svc.cluster.local';
export const SERVICE_PORT = 9080;
/** The client listener every simulated stream subscribes to (`host:port`, as dialled). */
export const LISTENER = `${SERVICE_HOST}:${SERVICE_PORT}`;

export const REGISTRY_YAML = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: reviews, namespace: default }
spec:
  hosts: [${SERVICE_HOST}]
  ports: [{ number: ${SERVICE_PORT}, name: grpc, protocol: GRPC }]
  resolution: STATIC
  workloadSelector: { labels: { app: reviews } }
${[1, 2, 3]
  .map(
    (i) => `---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: reviews-${i}, namespace: default }
spec: { address: 10.0.0.${i}, ports: { grpc: ${SERVICE_PORT} }, labels: { app: reviews, version: v${i === 3 ? 2 : 1} } }`,
  )
  .join('\n')}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec:
  host: ${SERVICE_HOST}
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
`;

/** The VirtualService with `v1` percent of calls to subset v1 and the rest to v2. */
export function weightsYaml(v1: number): string {
  return `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: default }
spec:
  hosts: [${SERVICE_HOST}]
  http:
  - route:
    - destination: { host: ${SERVICE_HOST}, subset: v1 }
      weight: ${v1}
    - destination: { host: ${SERVICE_HOST}, subset: v2 }
      weight: ${100 - v1}
`;
}

/** The weights a client should see in the route for `weightsYaml(v1)`, by subset. */
export function expectedWeights(v1: number): Record<string, number> {
  return { v1, v2: 100 - v1 };
}
