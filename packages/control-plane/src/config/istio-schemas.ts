// Shapes of Istio's networking and security kinds and of the Kubernetes Service, as JSON Schema.
// Istio: the OpenAPI v3 schemas of the networking.istio.io and security.istio.io CRDs.

import { DUBBO_SPEC_SCHEMAS } from '../dubbo/dubbo-schemas.js';
import type { ConfigKind } from './config-object.js';
import {
  bool,
  int,
  intRange,
  list,
  mapOf,
  num,
  numRange,
  obj,
  oneOfValues,
  type Schema,
  str,
  strList,
  strMap,
} from './schema-builders.js';

/** A reference to a shared definition: ajv compiles each definition once instead of per use. */
const DEFINITIONS_ID = 'shoal:istio-definitions';
const ref = (name: string): Schema => ({ $ref: `${DEFINITIONS_ID}#/definitions/${name}` });

const stringMatch = obj({ exact: str, prefix: str, regex: str });
const portSelector = obj({ number: int });
const destination = obj({ host: str, subset: str, port: ref('portSelector') }, ['host']);
const headerOps = obj({ set: strMap, add: strMap, remove: strList });
const headers = obj({ request: ref('headerOps'), response: ref('headerOps') });
const percent = obj({ value: num });

const httpMatch = obj({
  name: str,
  uri: ref('stringMatch'),
  scheme: ref('stringMatch'),
  method: ref('stringMatch'),
  authority: ref('stringMatch'),
  headers: mapOf(ref('stringMatch')),
  port: int,
  sourceLabels: strMap,
  gateways: strList,
  queryParams: mapOf(ref('stringMatch')),
  ignoreUriCase: bool,
  withoutHeaders: mapOf(ref('stringMatch')),
  sourceNamespace: str,
  statPrefix: str,
});

const httpRoute = obj({
  name: str,
  match: list(ref('httpMatch')),
  route: list(
    obj({ destination: ref('destination'), weight: int, headers: ref('headers') }, ['destination']),
  ),
  redirect: obj({
    uri: str,
    authority: str,
    port: int,
    derivePort: oneOfValues('FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT'),
    scheme: str,
    redirectCode: int,
  }),
  directResponse: obj({ status: int, body: obj({ string: str, bytes: str }) }, ['status']),
  delegate: obj({ name: str, namespace: str }),
  rewrite: obj({ uri: str, authority: str, uriRegexRewrite: obj({ match: str, rewrite: str }) }),
  timeout: str,
  retries: obj({ attempts: int, perTryTimeout: str, retryOn: str, retryRemoteLocalities: bool }),
  fault: obj({
    delay: obj({ fixedDelay: str, exponentialDelay: str, percentage: ref('percent'), percent: int }),
    abort: obj({ httpStatus: int, grpcStatus: str, http2Error: str, percentage: ref('percent') }),
  }),
  mirror: ref('destination'),
  mirrors: list(obj({ destination: ref('destination'), percentage: ref('percent') }, ['destination'])),
  mirrorPercentage: ref('percent'),
  mirrorPercent: int,
  corsPolicy: obj({
    allowOrigins: list(ref('stringMatch')),
    allowOrigin: strList,
    allowMethods: strList,
    allowHeaders: strList,
    exposeHeaders: strList,
    maxAge: str,
    allowCredentials: bool,
    unmatchedPreflights: oneOfValues('UNSPECIFIED', 'FORWARD', 'IGNORE'),
  }),
  headers: ref('headers'),
});

const l4Match = {
  destinationSubnets: strList,
  port: int,
  sourceLabels: strMap,
  gateways: strList,
  sourceNamespace: str,
};
const routeDestination = obj({ destination: ref('destination'), weight: int }, ['destination']);

const virtualService = obj({
  hosts: strList,
  gateways: strList,
  http: list(ref('httpRoute')),
  tls: list(
    obj({ match: list(obj({ ...l4Match, sniHosts: strList })), route: list(ref('routeDestination')) }),
  ),
  tcp: list(obj({ match: list(obj(l4Match)), route: list(ref('routeDestination')) })),
  exportTo: strList,
});

const loadBalancer = obj({
  simple: oneOfValues('UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST'),
  consistentHash: obj({
    httpHeaderName: str,
    httpCookie: obj({ name: str, path: str, ttl: str, attributes: list(obj({ name: str, value: str })) }),
    useSourceIp: bool,
    httpQueryParameterName: str,
    ringHash: obj({ minimumRingSize: int }),
    maglev: obj({ tableSize: int }),
    minimumRingSize: int,
  }),
  localityLbSetting: obj({
    distribute: list(obj({ from: str, to: mapOf(int) })),
    failover: list(obj({ from: str, to: str })),
    failoverPriority: strList,
    enabled: bool,
  }),
  warmupDurationSecs: str,
  warmup: obj({ duration: str, minimumPercent: numRange(0, 100), aggression: numRange(1) }, ['duration']),
});

const connectionPool = obj({
  tcp: obj({
    maxConnections: int,
    connectTimeout: str,
    tcpKeepalive: obj({ probes: int, time: str, interval: str }),
    maxConnectionDuration: str,
    idleTimeout: str,
  }),
  http: obj({
    http1MaxPendingRequests: int,
    http2MaxRequests: int,
    maxRequestsPerConnection: int,
    maxRetries: int,
    idleTimeout: str,
    h2UpgradePolicy: oneOfValues('DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE'),
    useClientProtocol: bool,
    maxConcurrentStreams: int,
  }),
});

const outlierDetection = obj({
  splitExternalLocalOriginErrors: bool,
  consecutiveLocalOriginFailures: int,
  consecutiveGatewayErrors: int,
  consecutive5xxErrors: int,
  consecutiveErrors: int,
  interval: str,
  baseEjectionTime: str,
  maxEjectionPercent: int,
  minHealthPercent: int,
});

const clientTls = obj({
  mode: oneOfValues('DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'),
  clientCertificate: str,
  privateKey: str,
  caCertificates: str,
  credentialName: str,
  subjectAltNames: strList,
  sni: str,
  insecureSkipVerify: bool,
  caCrl: str,
});

const portPolicyFields = {
  loadBalancer: ref('loadBalancer'),
  connectionPool: ref('connectionPool'),
  outlierDetection: ref('outlierDetection'),
  tls: ref('clientTls'),
};
const trafficPolicy = obj({
  ...portPolicyFields,
  portLevelSettings: list(obj({ port: ref('portSelector'), ...portPolicyFields })),
  tunnel: obj({ protocol: str, targetHost: str, targetPort: int }, ['targetHost', 'targetPort']),
  proxyProtocol: obj({ version: oneOfValues('V1', 'V2') }),
});

const destinationRule = obj(
  {
    host: str,
    trafficPolicy: ref('trafficPolicy'),
    subsets: list(obj({ name: str, labels: strMap, trafficPolicy: ref('trafficPolicy') }, ['name'])),
    exportTo: strList,
    workloadSelector: obj({ matchLabels: strMap }),
  },
  ['host'],
);

const workloadEntryFields = {
  address: str,
  ports: mapOf(int),
  labels: strMap,
  network: str,
  locality: str,
  weight: intRange(0),
  serviceAccount: str,
};

const serviceEntry = obj(
  {
    hosts: strList,
    addresses: strList,
    ports: list(obj({ number: int, protocol: str, name: str, targetPort: int }, ['number', 'name'])),
    location: oneOfValues('MESH_EXTERNAL', 'MESH_INTERNAL'),
    resolution: oneOfValues('NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN'),
    endpoints: list(obj(workloadEntryFields)),
    workloadSelector: obj({ labels: strMap }),
    exportTo: strList,
    subjectAltNames: strList,
  },
  ['hosts'],
);

const workloadSelector = obj({ matchLabels: strMap });
const mtlsMode = obj({ mode: oneOfValues('UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT') });
const targetRef = obj({ group: str, kind: str, name: str, namespace: str }, ['kind', 'name']);

const peerAuthentication = obj({
  selector: workloadSelector,
  mtls: mtlsMode,
  portLevelMtls: mapOf(mtlsMode),
});

const authorizationPolicy = obj({
  selector: workloadSelector,
  targetRef,
  targetRefs: list(targetRef),
  action: oneOfValues('ALLOW', 'DENY', 'AUDIT', 'CUSTOM'),
  provider: obj({ name: str }),
  rules: list(
    obj({
      from: list(
        obj({
          source: obj({
            principals: strList,
            notPrincipals: strList,
            requestPrincipals: strList,
            notRequestPrincipals: strList,
            namespaces: strList,
            notNamespaces: strList,
            ipBlocks: strList,
            notIpBlocks: strList,
            remoteIpBlocks: strList,
            notRemoteIpBlocks: strList,
            serviceAccounts: strList,
            notServiceAccounts: strList,
          }),
        }),
      ),
      to: list(
        obj({
          operation: obj({
            hosts: strList,
            notHosts: strList,
            ports: strList,
            notPorts: strList,
            methods: strList,
            notMethods: strList,
            paths: strList,
            notPaths: strList,
          }),
        }),
      ),
      when: list(obj({ key: str, values: strList, notValues: strList }, ['key'])),
    }),
  ),
});

// Kubernetes Services carry many fields we do not read; only the ones we use are typed.
const kubernetesService: Schema = {
  type: 'object',
  properties: {
    selector: strMap,
    ports: list({
      type: 'object',
      properties: { name: str, port: int, targetPort: { type: ['integer', 'string'] }, protocol: str },
      required: ['port'],
    }),
    type: str,
    clusterIP: str,
  },
};

const DEFINITIONS: Record<string, Schema> = {
  stringMatch,
  portSelector,
  destination,
  headerOps,
  headers,
  percent,
  httpMatch,
  httpRoute,
  routeDestination,
  loadBalancer,
  connectionPool,
  outlierDetection,
  clientTls,
  trafficPolicy,
};

const SPEC_OPTIONAL = new Set<ConfigKind>(['AuthorizationPolicy', 'PeerAuthentication']);

const SPEC_SCHEMAS: Record<ConfigKind, Schema> = {
  VirtualService: virtualService,
  DestinationRule: destinationRule,
  ServiceEntry: serviceEntry,
  WorkloadEntry: obj(workloadEntryFields),
  PeerAuthentication: peerAuthentication,
  AuthorizationPolicy: authorizationPolicy,
  Service: kubernetesService,
  ...DUBBO_SPEC_SCHEMAS,
  // Dubbo's mesh DestinationRule has Istio's shape.
  DubboDestinationRule: destinationRule,
};

/** The whole document's schema: the Kubernetes envelope around the kind's spec. */
export function documentSchema(kind: ConfigKind): Schema {
  return {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: {
        type: 'object',
        properties: { name: str, namespace: str, labels: strMap, annotations: strMap },
        required: ['name'],
      },
      spec: SPEC_SCHEMAS[kind],
      status: { type: 'object' },
    },
    // An AuthorizationPolicy or PeerAuthentication without spec is meaningful (e.g. allow-nothing).
    required: SPEC_OPTIONAL.has(kind)
      ? ['apiVersion', 'kind', 'metadata']
      : ['apiVersion', 'kind', 'metadata', 'spec'],
    additionalProperties: false,
  };
}

/** The shared parts (string matches, destinations, traffic policies, ...), added to ajv once. */
export function definitionsSchema(): Schema {
  return { $id: DEFINITIONS_ID, definitions: DEFINITIONS };
}
