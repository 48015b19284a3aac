// Internal, for tests only: Dubbo's rules as its documentation writes them (dubbo.apache.org,
// "Traffic management" tasks and the rule references), the inputs of the Dubbo specs and suites.
// Placeholders of the docs (an instance address) are parameters.

/** Weight task: v2 instances of OrderService get weight 25 against v1's default 100. */
export const WEIGHT = `configVersion: v3.0
scope: service
key: org.apache.dubbo.samples.OrderService
configs:
  - side: provider
    match:
      param:
        - key: orderVersion
          value:
            exact: v2
    parameters:
      weight: 25
`;

/** Timeout task: its body has no key (Dubbo Admin asks for it: org.apache.dubbo.samples.UserService). */
export const TIMEOUT_BODY = `configVersion: v3.0
enabled: true
configs:
  - side: provider
    parameters:
      timeout: 2000
`;

/** Retry task (its YAML as published has a stray "match" line, which Dubbo's parser rejects too). */
export const RETRY_AS_PUBLISHED = `configVersion: v3.0
enabled: true
configs:
  - side: consumer
    match
    parameters:
      retries: 4
`;

/** Request routing by argument: getItem's second argument "dubbo" goes to detail v2. */
export const ARGUMENTS = `configVersion: v3.0
key: org.apache.dubbo.samples.DetailService
scope: service
force: false
enabled: true
priority: 1
conditions:
  - method=getItem & arguments[1]=dubbo => detailVersion=v2
`;

/** Request routing to one machine: every getInfo call to one address (no key in the body). */
export const HOST_BODY = (ip: string) => `configVersion: v3.0
enabled: true
force: false
conditions:
  - 'method=getInfo => host = ${ip}'
`;

/** Same-region priority: the consumer's region, falling back to any region. */
export const REGION = `configVersion: v3.0
enabled: true
force: false
key: org.apache.dubbo.samples.CommentService
conditions:
  - '=> region = $region'
`;

/** Gray environment isolated by a tag (force: no fallback out of it). */
export const GRAY_TAG = `configVersion: v3.0
force: true
enabled: true
key: shop-detail
tags:
  - name: gray
    match:
      - key: env
        value:
          exact: gray
`;

/** Traffic isolation with the older addresses form (Dubbo Admin's template). */
export const ISOLATION_TAG = (tag1: string, tag2: string) => `force: false
runtime: true
enabled: true
key: governance-tagrouter-provider
tags:
  - name: tag1
    addresses: ["${tag1}"]
  - name: tag2
    addresses: ["${tag2}"]
`;

/** Kicking out an instance: Dubbo Admin's dynamic configuration with disabled on one address. */
export const KICK_OUT = (address: string) => `configVersion: v2.7
scope: service
key: org.apache.dubbo.samples.UserService
enabled: true
configs:
  - addresses: ["${address}"]
    side: provider
    parameters:
      disabled: true
`;

/** The condition rule reference's example. */
export const CONDITION_REFERENCE = `configVersion: v3.0
scope: service
force: true
runtime: true
enabled: true
key: org.apache.dubbo.samples.CommentService
conditions:
  - method=getComment => region=Hangzhou
`;

/** The dynamic configuration reference's examples: app-scope accesslog, service-scope retries. */
export const CONFIG_REFERENCE_APP = `configVersion: v3.0
scope: application
key: shop-detail
configs:
  - side: provider
    parameters:
      accesslog: true
`;

export const CONFIG_REFERENCE_SERVICE = `configVersion: v3.0
scope: service
key: org.apache.dubbo.samples.UserService
configs:
  - match:
      application:
        oneof:
          - exact: shop-frontend
    side: consumer
    parameters:
      retries: 4
`;

/** v3.1 with weighted destinations (Dubbo's ConditionStateRouterTestV31). */
export const CONDITION_V31 = `configVersion: v3.1
scope: service
force: false
runtime: true
enabled: true
key: shop
conditions:
  - from:
      match:
    to:
      - match: region=$region & version=v1
      - match: region=$region & version=v2
        weight: 200
      - match: region=$region & version=v3
        weight: 300
  - from:
      match: region=beijing & version=v1
    to:
      - match: env=$env & region=beijing
`;

/** Dubbo's mesh rules: the weight routing example (with weight beside destination). */
export const MESH_WEIGHT = `apiVersion: service.dubbo.apache.org/v1alpha1
kind: VirtualService
metadata:
  name: reviews-route
spec:
  hosts:
  - reviews.prod.svc.cluster.local
  dubbo:
    - name: weightRoute
      routedetail:
       - name: weght
         route:
          - destination:
              host: reviews.prod.svc.cluster.local
              subset: v1
            weight: 60
          - destination:
              host: reviews.prod.svc.cluster.local
              subset: v2
            weight: 40
---
apiVersion: service.dubbo.apache.org/v1alpha1
kind: DestinationRule
metadata:
  name: reviews-route
spec:
  host: reviews.prod.svc.cluster.local
  subsets:
    - name: v1
      labels:
        version: v1
    - name: v2
      labels:
        version: v2
`;
