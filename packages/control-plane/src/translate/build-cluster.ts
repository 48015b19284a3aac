// Clusters `outbound|port|subset|host`, discovered by EDS over ADS, with the DestinationRule's
// load balancing, circuit breakers and outlier detection, reporting load to this control plane
// (`lrs_server: self`: gRPC clients then stream LRS here, gRFC A27; Envoy does not read it). The
// LB policy is the nearest one the client reads (client-identity.ts): gRPC NACKs one it does not know.
// Envoy: config.cluster.v3.Cluster; Istio: networking.v1.DestinationRule (TrafficPolicy);
// istiod's cluster builder (applyLoadBalancer, applyConnectionPool, applyOutlierDetection).

import { create } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';
import type {
  ConnectionPoolSettings,
  LoadBalancerSettings,
  OutlierDetection,
} from '../config/networking-types.js';
import { type ClientCapabilities, type LbPolicyName, lbPolicyFor } from './client-identity.js';
import { adsConfigSource, durationFromMs, durationOf } from './proto-values.js';
import type { ClusterKey } from './resource-names.js';
import { upstreamTransportSocket } from './tls-context.js';
import type { EffectivePolicy } from './traffic-policy.js';

/** Istio's default connect timeout. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Envoy's default ring size bounds; Istio's default minimum ring size is 1024. */
const DEFAULT_MIN_RING_SIZE = 1024;

export interface ClusterOptions {
  /** What the client reads; without it the policy is sent as configured. */
  capabilities?: ClientCapabilities;
  /** The DestinationRule's path, as istiod writes it into `filter_metadata.istio.config`. */
  configSource?: string | undefined;
}

export function buildCluster(
  name: string,
  key: ClusterKey,
  policy: EffectivePolicy,
  options: ClusterOptions = {},
): envoy.Cluster {
  const { configSource, capabilities } = options;
  const connectTimeout = policy.connectionPool?.tcp?.connectTimeout;
  const cluster = create(envoy.ClusterSchema, {
    name,
    clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.EDS },
    edsClusterConfig: { edsConfig: adsConfigSource(), serviceName: name },
    lrsServer: { configSourceSpecifier: { case: 'self', value: {} } },
    connectTimeout: connectTimeout ? durationOf(connectTimeout) : durationFromMs(DEFAULT_CONNECT_TIMEOUT_MS),
    metadata: {
      filterMetadata: {
        istio: {
          services: [{ host: key.host, port: key.port }],
          ...(key.subset ? { subset: key.subset } : {}),
          ...(configSource ? { config: configSource } : {}),
        },
      },
    },
  });
  applyLoadBalancer(cluster, policy.loadBalancer, capabilities);
  const transportSocket = upstreamTransportSocket(policy.tls, key.host);
  if (transportSocket) cluster.transportSocket = transportSocket;
  const breakers = circuitBreakers(policy.connectionPool);
  if (breakers) cluster.circuitBreakers = breakers;
  const outlier = outlierDetection(policy.outlierDetection);
  if (outlier) {
    cluster.outlierDetection = outlier;
    const minHealth = policy.outlierDetection?.minHealthPercent;
    if (minHealth !== undefined) {
      cluster.commonLbConfig = create(envoy.Cluster_CommonLbConfigSchema, {
        healthyPanicThreshold: { value: minHealth },
      });
    }
  }
  return cluster;
}

/** The policy the DestinationRule asks for, by Envoy's name. */
function wantedPolicy(lb: LoadBalancerSettings | undefined): LbPolicyName {
  if (lb?.consistentHash) return lb.consistentHash.maglev ? 'MAGLEV' : 'RING_HASH';
  switch (lb?.simple) {
    case 'LEAST_CONN':
    case 'LEAST_REQUEST':
      return 'LEAST_REQUEST';
    case 'RANDOM':
      return 'RANDOM';
    default:
      return 'ROUND_ROBIN';
  }
}

function applyLoadBalancer(
  cluster: envoy.Cluster,
  lb: LoadBalancerSettings | undefined,
  capabilities: ClientCapabilities | undefined,
): void {
  const P = envoy.Cluster_LbPolicy;
  const wanted = wantedPolicy(lb);
  const sent = capabilities ? lbPolicyFor(wanted, capabilities) : wanted;
  const hash = lb?.consistentHash;
  switch (sent) {
    case 'MAGLEV': {
      cluster.lbPolicy = P.MAGLEV;
      const tableSize = hash?.maglev?.tableSize;
      cluster.lbConfig = {
        case: 'maglevLbConfig',
        value: create(envoy.Cluster_MaglevLbConfigSchema, tableSize ? { tableSize: BigInt(tableSize) } : {}),
      };
      return;
    }
    case 'RING_HASH': {
      cluster.lbPolicy = P.RING_HASH;
      const minimum = hash?.ringHash?.minimumRingSize ?? hash?.minimumRingSize ?? DEFAULT_MIN_RING_SIZE;
      cluster.lbConfig = {
        case: 'ringHashLbConfig',
        value: create(envoy.Cluster_RingHashLbConfigSchema, {
          minimumRingSize: BigInt(minimum),
          hashFunction: envoy.Cluster_RingHashLbConfig_HashFunction.XX_HASH,
        }),
      };
      return;
    }
    case 'LEAST_REQUEST':
      cluster.lbPolicy = P.LEAST_REQUEST;
      cluster.lbConfig = {
        case: 'leastRequestLbConfig',
        value: create(envoy.Cluster_LeastRequestLbConfigSchema, {}),
      };
      return;
    case 'RANDOM':
      cluster.lbPolicy = P.RANDOM;
      return;
    default:
      cluster.lbPolicy = P.ROUND_ROBIN;
  }
}

function circuitBreakers(pool: ConnectionPoolSettings | undefined): envoy.CircuitBreakers | undefined {
  if (!pool) return undefined;
  const t = create(envoy.CircuitBreakers_ThresholdsSchema, {});
  let any = false;
  if (pool.http?.http2MaxRequests) {
    t.maxRequests = pool.http.http2MaxRequests;
    any = true;
  }
  if (pool.http?.http1MaxPendingRequests) {
    t.maxPendingRequests = pool.http.http1MaxPendingRequests;
    any = true;
  }
  if (pool.http?.maxRetries) {
    t.maxRetries = pool.http.maxRetries;
    any = true;
  }
  if (pool.tcp?.maxConnections) {
    t.maxConnections = pool.tcp.maxConnections;
    any = true;
  }
  return any ? create(envoy.CircuitBreakersSchema, { thresholds: [t] }) : undefined;
}

function outlierDetection(od: OutlierDetection | undefined): envoy.OutlierDetection | undefined {
  if (!od) return undefined;
  const out = create(envoy.OutlierDetectionSchema, {
    // Success-rate ejection is off unless asked for, as in istiod.
    enforcingSuccessRate: 0,
  });
  if (od.consecutive5xxErrors !== undefined) {
    out.consecutive5xx = od.consecutive5xxErrors;
    out.enforcingConsecutive5xx = od.consecutive5xxErrors > 0 ? 100 : 0;
  }
  // The deprecated consecutiveErrors counts gateway errors only (istio/api#617).
  const gateway = od.consecutiveGatewayErrors ?? od.consecutiveErrors;
  if (gateway !== undefined) {
    out.consecutiveGatewayFailure = gateway;
    out.enforcingConsecutiveGatewayFailure = gateway > 0 ? 100 : 0;
  }
  if (od.interval) out.interval = durationOf(od.interval);
  if (od.baseEjectionTime) out.baseEjectionTime = durationOf(od.baseEjectionTime);
  if (od.maxEjectionPercent !== undefined) out.maxEjectionPercent = od.maxEjectionPercent;
  if (od.splitExternalLocalOriginErrors) out.splitExternalLocalOriginErrors = true;
  return out;
}
