// The config the CLI's control-plane suites start `shoal cp` with: `reviews` as a ServiceEntry with
// a v1 and a v2 endpoint, its subsets, and a VirtualService splitting it by weight.

export const REVIEWS_HOST = 'reviews.default.svc.cluster.local';

export const reviewsRegistry = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews}
spec:
  hosts: [${REVIEWS_HOST}]
  ports: [{number: 9080, name: grpc, protocol: GRPC}]
  resolution: STATIC
  endpoints:
  - {address: 127.0.0.1, ports: {grpc: 50071}, labels: {version: v1}}
  - {address: 127.0.0.1, ports: {grpc: 50072}, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: ${REVIEWS_HOST}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`;

/** A VirtualService sending `v1` percent of calls to subset v1 and the rest to v2. */
export function reviewsSplit(v1: number): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [${REVIEWS_HOST}]
  http:
  - route:
    - {destination: {host: ${REVIEWS_HOST}, subset: v1}, weight: ${v1}}
    - {destination: {host: ${REVIEWS_HOST}, subset: v2}, weight: ${100 - v1}}
`;
}
