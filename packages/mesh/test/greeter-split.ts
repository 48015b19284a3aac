// Test config: the greeter's v1 and v2 subsets (by the `version` label providers register with)
// and a VirtualService splitting calls between them, with extra route fields (retries, …) when
// given. Internal to tests.

export function greeterSplit(v1: number, v2: number, extra = ''): string {
  return `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: greeter, namespace: default }
spec:
  host: greeter
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: greeter, namespace: default }
spec:
  hosts: [greeter]
  http:
  - route:
    - { destination: { host: greeter, subset: v1 }, weight: ${v1} }
    - { destination: { host: greeter, subset: v2 }, weight: ${v2} }
${extra ? `    ${extra}\n` : ''}`;
}
