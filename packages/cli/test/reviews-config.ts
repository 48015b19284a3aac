// The reviews service the CLI's tests start `shoal cp` with: a ServiceEntry with two endpoints
// (v1 on 127.0.0.1:50071, v2 on 127.0.0.1:50072) and a DestinationRule with those subsets.

export const reviewsConfig = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews}
spec:
  hosts: [reviews.default.svc.cluster.local]
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
  host: reviews.default.svc.cluster.local
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`;
