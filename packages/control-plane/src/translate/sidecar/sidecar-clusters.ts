// The clusters a sidecar gets: the same `outbound|port|subset|host` EDS clusters as proxyless
// clients (the DestinationRule's load balancing, circuit breakers and outlier detection) with
// what an Envoy needs besides (HTTP/2 upstream for gRPC and HTTP2 ports, the downstream's
// protocol for sniffed ports, mTLS by SDS, no LRS), `inbound|PORT||` for each port of the
// workload, and the catch-alls PassthroughCluster, BlackHoleCluster and InboundPassthroughCluster.
// Istio: cluster_builder.go (buildCluster, setUpstreamProtocol, buildInboundCluster with the
// PASSTHROUGH inbound policy, buildDefaultPassthroughCluster, buildBlackHoleCluster,
// buildInboundPassthroughCluster), cluster_tls.go (ISTIO_MUTUAL, auto mTLS).

import { create } from '@bufbuild/protobuf';
import { type Any, anyPack } from '@bufbuild/protobuf/wkt';
import { envoy } from '@shoal/xds';
import { buildCluster } from '../build-cluster.js';
import { durationFromMs } from '../proto-values.js';
import type { ClusterKey } from '../resource-names.js';
import type { EffectivePolicy } from '../traffic-policy.js';
import { isHttp2, type PortProtocol } from './port-protocol.js';
import {
  BLACKHOLE_CLUSTER,
  INBOUND_PASSTHROUGH_BIND_IP,
  INBOUND_PASSTHROUGH_CLUSTER,
  inboundClusterName,
  PASSTHROUGH_CLUSTER,
  statName,
} from './sidecar-names.js';
import { autoMutualTlsMatches, istioMutualSni, outboundMutualTls, outboundSimpleTls } from './sidecar-tls.js';

/** The key of a cluster's typed_extension_protocol_options for upstream HTTP options. */
export const UPSTREAM_HTTP_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
/** istiod's mesh default connect timeout. */
const CONNECT_TIMEOUT_MS = 10_000;
/** istiod never cleans up inbound original-destination hosts: the longest Duration Go can hold. */
const NEVER_SECONDS = 9_223_372_035n;

function protocolOptions(protocol: PortProtocol): Record<string, Any> {
  const S = envoy.UpstreamHttpProtocolOptionsSchema;
  let options: envoy.UpstreamHttpProtocolOptions | undefined;
  if (isHttp2(protocol)) {
    options = create(S, {
      upstreamProtocolOptions: {
        case: 'explicitHttpConfig',
        value: { protocolConfig: { case: 'http2ProtocolOptions', value: {} } },
      },
    });
  } else if (protocol === 'auto') {
    options = useDownstreamProtocol();
  }
  return options ? { [UPSTREAM_HTTP_OPTIONS]: anyPack(S, options) } : {};
}

function useDownstreamProtocol(): envoy.UpstreamHttpProtocolOptions {
  return create(envoy.UpstreamHttpProtocolOptionsSchema, {
    upstreamProtocolOptions: {
      case: 'useDownstreamProtocolConfig',
      value: { httpProtocolOptions: {}, http2ProtocolOptions: {} },
    },
  });
}

export interface OutboundClusterOptions {
  protocol: PortProtocol;
  policy: EffectivePolicy;
  /** The DestinationRule's path, for `filter_metadata.istio.config`. */
  configSource?: string;
}

/** `outbound|port|subset|host` for a sidecar. Throws for TLS modes that name files. */
export function buildSidecarOutboundCluster(
  name: string,
  key: ClusterKey,
  options: OutboundClusterOptions,
): envoy.Cluster {
  const { tls, ...rest } = options.policy;
  const cluster = buildCluster(name, key, rest, { configSource: options.configSource });
  cluster.lrsServer = undefined; // Envoy reports load through its bootstrap, if at all.
  cluster.altStatName = statName(name);
  cluster.commonLbConfig ??= create(envoy.Cluster_CommonLbConfigSchema, {});
  Object.assign(cluster.typedExtensionProtocolOptions, protocolOptions(options.protocol));
  const http2 = isHttp2(options.protocol);
  const mode = tls?.mode;
  const sni = tls?.sni ?? istioMutualSni(key.host, key.port, key.subset);
  if (mode === undefined) {
    cluster.transportSocketMatches = autoMutualTlsMatches(outboundMutualTls(sni, [], http2));
  } else if (mode === 'ISTIO_MUTUAL') {
    cluster.transportSocket = outboundMutualTls(sni, tls?.subjectAltNames ?? [], http2);
  } else if (mode === 'SIMPLE' && !tls?.caCertificates && !tls?.credentialName) {
    cluster.transportSocket = outboundSimpleTls(tls?.sni ?? key.host, tls?.subjectAltNames ?? []);
  } else if (mode !== 'DISABLE') {
    throw new Error(
      `tls mode ${mode} with certificate files is not supported for sidecars (use ISTIO_MUTUAL or SIMPLE)`,
    );
  }
  return cluster;
}

/** `inbound|PORT||`: to the application on the port the connection was sent to (original destination). */
export function buildInboundCluster(targetPort: number, host: string, protocol: PortProtocol): envoy.Cluster {
  const name = inboundClusterName(targetPort);
  return create(envoy.ClusterSchema, {
    name,
    clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.ORIGINAL_DST },
    connectTimeout: durationFromMs(CONNECT_TIMEOUT_MS),
    lbPolicy: envoy.Cluster_LbPolicy.CLUSTER_PROVIDED,
    cleanupInterval: { seconds: NEVER_SECONDS },
    upstreamBindConfig: passthroughBind(),
    commonLbConfig: {},
    altStatName: statName(name),
    typedExtensionProtocolOptions: protocolOptions(protocol),
    metadata: { filterMetadata: { istio: { services: [{ host }] } } },
  });
}

/** Outbound traffic to hosts the mesh does not know, to where it was going (ALLOW_ANY). */
export function buildPassthroughCluster(name = PASSTHROUGH_CLUSTER): envoy.Cluster {
  return create(envoy.ClusterSchema, {
    name,
    clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.ORIGINAL_DST },
    connectTimeout: durationFromMs(CONNECT_TIMEOUT_MS),
    lbPolicy: envoy.Cluster_LbPolicy.CLUSTER_PROVIDED,
    altStatName: statName(name),
    typedExtensionProtocolOptions: {
      [UPSTREAM_HTTP_OPTIONS]: anyPack(envoy.UpstreamHttpProtocolOptionsSchema, useDownstreamProtocol()),
    },
  });
}

/** Inbound traffic to a port no service declares, bound so iptables does not capture it again. */
export function buildInboundPassthroughCluster(): envoy.Cluster {
  const cluster = buildPassthroughCluster(INBOUND_PASSTHROUGH_CLUSTER);
  cluster.upstreamBindConfig = passthroughBind();
  return cluster;
}

/** Where refused traffic goes: a static cluster with no endpoints. */
export function buildBlackHoleCluster(): envoy.Cluster {
  return create(envoy.ClusterSchema, {
    name: BLACKHOLE_CLUSTER,
    clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.STATIC },
    connectTimeout: durationFromMs(CONNECT_TIMEOUT_MS),
    altStatName: statName(BLACKHOLE_CLUSTER),
  });
}

function passthroughBind(): envoy.BindConfig {
  return create(envoy.BindConfigSchema, {
    sourceAddress: { address: INBOUND_PASSTHROUGH_BIND_IP, portSpecifier: { case: 'portValue', value: 0 } },
  });
}
