// What a new object in the YAML editor starts from: Istio's VirtualService and DestinationRule,
// and Dubbo's own rules in Dubbo's YAML as its documentation writes them (dubbo.apache.org, "Traffic
// Management": condition rule, tag rule, dynamic configuration, configVersion v3.0), which the
// control plane stores as dubbo.apache.org/v1alpha1 objects under Dubbo's rule names.

export interface Template {
  kind: string;
  /** Istio's API or Dubbo's rules: the group the rules list shows it under. */
  family: 'Istio' | 'Dubbo';
  text: string;
}

export const TEMPLATES: readonly Template[] = [
  {
    kind: 'VirtualService',
    family: 'Istio',
    text: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: my-route
  namespace: default
spec:
  hosts:
    - greeter
  http:
    - route:
        - destination:
            host: greeter
`,
  },
  {
    kind: 'DestinationRule',
    family: 'Istio',
    text: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: my-subsets
  namespace: default
spec:
  host: greeter
  subsets:
    - name: v1
      labels:
        version: v1
`,
  },
  {
    kind: 'ConditionRoute',
    family: 'Dubbo',
    text: `configVersion: v3.0
scope: service
key: greet.v1.GreeterService
force: false
runtime: true
enabled: true
conditions:
  - method=Greet => version=v1
`,
  },
  {
    kind: 'TagRoute',
    family: 'Dubbo',
    text: `configVersion: v3.0
key: greeter
force: false
enabled: true
tags:
  - name: gray
    match:
      - key: version
        value:
          exact: v2
`,
  },
  {
    kind: 'DynamicConfig',
    family: 'Dubbo',
    text: `configVersion: v3.0
scope: service
key: greet.v1.GreeterService
enabled: true
configs:
  - side: consumer
    parameters:
      timeout: 2000
`,
  },
];

/** The API group a stored object belongs to. */
export const familyOf = (apiVersion: string): 'Istio' | 'Dubbo' =>
  apiVersion.startsWith('dubbo.apache.org/') ? 'Dubbo' : 'Istio';
