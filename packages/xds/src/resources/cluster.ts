// CDS: Envoy's cluster.v3.Cluster decoded and validated into a plain model. EDS clusters over
// ADS or self (gRFC A27), LOGICAL_DNS and aggregate clusters (A37), circuit breaking (A32),
// load-balancing policies (A42, A48, A52), outlier detection (A50), upstream TLS (A29). Circuit
// breaker thresholds are the DEFAULT priority's, with Envoy's defaults (1024 requests, 1024
// pending, 3 retries; A32 reads max_requests only).
import type { JsonObject } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import {
  type Cluster,
  Cluster_DiscoveryType,
  ClusterSchema,
} from '../gen/envoy/config/cluster/v3/cluster_pb.js';
import { RoutingPriority } from '../gen/envoy/config/core/v3/base_pb.js';
import { ClusterConfigSchema } from '../gen/envoy/extensions/clusters/aggregate/v3/cluster_pb.js';
import { AGGREGATE_CLUSTER_TYPE_URL } from '../type-urls.js';
import { at, type DecodeResult, finish, index, Problems, resourceMessage, unpack } from './decode-result.js';
import { isAdsOrSelf } from './http-connection-manager.js';
import { decodeLoadBalancing, type XdsLbPolicy } from './lb-policy.js';
import { decodeOutlierDetection, type XdsOutlierDetection } from './outlier-detection.js';
import { decodeSocketAddress } from './socket-address.js';
import { decodeTransportSocket, type XdsTlsContext } from './tls-context.js';
import { durationToMs, metadataToModel } from './values.js';

/** Where a cluster's endpoints come from. */
export type XdsClusterDiscovery =
  /** From EDS; `serviceName` is the ClusterLoadAssignment to watch (the cluster name if unset). */
  | { readonly type: 'eds'; readonly serviceName: string }
  /** One DNS name, resolved by the client. */
  | { readonly type: 'logical_dns'; readonly host: string; readonly port: number }
  /** An ordered list of other clusters, tried in priority order. */
  | { readonly type: 'aggregate'; readonly clusters: readonly string[] };

/** Limits per cluster (default-priority thresholds only), with Envoy's defaults. */
export interface XdsCircuitBreakers {
  /** Concurrent calls allowed; 1024 when unset (A32). */
  readonly maxRequests: number;
  /** Not enforced by a proxyless client; absent when unset. */
  readonly maxConnections?: number;
  /** Calls waiting for a connection; 1024 when unset (Envoy). */
  readonly maxPendingRequests: number;
  /** Retry attempts outstanding at once; 3 when unset (Envoy). */
  readonly maxRetries: number;
}

/** A validated Cluster. */
export interface XdsCluster {
  readonly name: string;
  readonly discovery: XdsClusterDiscovery;
  readonly lbPolicy: XdsLbPolicy;
  /** Weigh localities first: common_lb_config.locality_weighted_lb_config, or wrr_locality (A52). */
  readonly localityWeighted: boolean;
  readonly circuitBreakers: XdsCircuitBreakers;
  readonly outlierDetection?: XdsOutlierDetection;
  readonly connectTimeoutMs?: number;
  readonly tls?: XdsTlsContext;
  /** Load reports go to the management server itself when set (lrs_server is self). */
  readonly lrsServer: boolean;
  readonly metadata: Readonly<Record<string, JsonObject>>;
}

/** Decodes a CDS resource (an Any or the message bytes). */
export function decodeCluster(resource: Any | Uint8Array): DecodeResult<XdsCluster> {
  const m = resourceMessage(resource, ClusterSchema);
  if ('failure' in m) return m.failure;
  const c = m.message;
  const problems = new Problems();
  if (c.name === '') problems.add('name', 'must not be empty');
  const discovery = decodeDiscovery(c, problems);
  const loadBalancing = decodeLoadBalancing(c, problems);
  const outlierDetection = c.outlierDetection
    ? decodeOutlierDetection(c.outlierDetection, 'outlier_detection', problems)
    : undefined;
  const connectTimeoutMs = durationToMs(c.connectTimeout, 'connect_timeout', problems);
  const tls = c.transportSocket
    ? decodeTransportSocket(c.transportSocket, 'upstream', 'transport_socket', problems)
    : undefined;
  if (c.lrsServer && c.lrsServer.configSourceSpecifier.case !== 'self') {
    problems.add('lrs_server', 'must be self');
  }
  const defaults = c.circuitBreakers?.thresholds.find((t) => t.priority === RoutingPriority.DEFAULT);
  const circuitBreakers: XdsCircuitBreakers = {
    maxRequests: defaults?.maxRequests ?? 1024,
    ...(defaults?.maxConnections !== undefined && { maxConnections: defaults.maxConnections }),
    maxPendingRequests: defaults?.maxPendingRequests ?? 1024,
    maxRetries: defaults?.maxRetries ?? 3,
  };
  // When a part is missing an error was recorded, so finish() returns the errors, not this value.
  return finish(
    c.name,
    {
      name: c.name,
      discovery: discovery as XdsClusterDiscovery,
      lbPolicy: loadBalancing?.lbPolicy as XdsLbPolicy,
      localityWeighted: loadBalancing?.localityWeighted ?? false,
      circuitBreakers,
      ...(outlierDetection && { outlierDetection }),
      ...(connectTimeoutMs !== undefined && { connectTimeoutMs }),
      ...(tls && { tls }),
      lrsServer: c.lrsServer !== undefined,
      metadata: metadataToModel(c.metadata),
    },
    problems,
  );
}

function decodeDiscovery(c: Cluster, problems: Problems): XdsClusterDiscovery | undefined {
  const d = c.clusterDiscoveryType;
  if (d.case === 'clusterType') {
    const p = 'cluster_type';
    if (!d.value.typedConfig || d.value.typedConfig.typeUrl !== AGGREGATE_CLUSTER_TYPE_URL) {
      problems.add(
        at(p, 'typed_config'),
        `unsupported custom cluster type; expected ${AGGREGATE_CLUSTER_TYPE_URL}`,
      );
      return undefined;
    }
    const config = unpack(d.value.typedConfig, ClusterConfigSchema, at(p, 'typed_config'), problems);
    if (!config) return undefined;
    if (config.clusters.length === 0) {
      problems.add(at(p, 'typed_config.clusters'), 'must not be empty');
      return undefined;
    }
    return { type: 'aggregate', clusters: [...config.clusters] };
  }
  switch (d.value ?? Cluster_DiscoveryType.STATIC) {
    case Cluster_DiscoveryType.EDS: {
      const eds = c.edsClusterConfig;
      if (!isAdsOrSelf(eds?.edsConfig)) {
        problems.add('eds_cluster_config.eds_config', 'must be ads or self');
        return undefined;
      }
      const serviceName = eds?.serviceName || c.name;
      if (c.name.startsWith('xdstp:') && !eds?.serviceName) {
        problems.add('eds_cluster_config.service_name', 'is required for an xdstp: cluster');
      }
      return { type: 'eds', serviceName };
    }
    case Cluster_DiscoveryType.LOGICAL_DNS: {
      const p = 'load_assignment';
      const localities = c.loadAssignment?.endpoints ?? [];
      const endpoints = localities[0]?.lbEndpoints ?? [];
      if (localities.length !== 1 || endpoints.length !== 1) {
        problems.add(p, 'a LOGICAL_DNS cluster needs exactly one locality with exactly one endpoint');
        return undefined;
      }
      const e = endpoints[0]!.hostIdentifier;
      const ep = index(at(index(at(p, 'endpoints'), 0), 'lb_endpoints'), 0);
      if (e.case !== 'endpoint') {
        problems.add(at(ep, 'endpoint'), 'is required');
        return undefined;
      }
      const address = decodeSocketAddress(e.value.address, at(ep, 'endpoint.address'), problems);
      return address && { type: 'logical_dns', host: address.host, port: address.port };
    }
    default:
      problems.add(
        'type',
        `unsupported discovery type ${Cluster_DiscoveryType[d.value ?? 0]}; expected EDS, LOGICAL_DNS or an aggregate cluster`,
      );
      return undefined;
  }
}
