// Route configurations of a sidecar. Outbound: one per port (named after it), with a virtual host
// `host:port` per HTTP service on that port (istiod's domains, routes from the same VirtualService
// translation as proxyless clients), sorted by name, then the `allow_any` catch-all that sends
// unknown hosts to the PassthroughCluster. Inbound: an inline route config per chain that sends
// everything to the workload's `inbound|PORT||` cluster.
// Istio: httproute.go buildSidecarOutboundHTTPRouteConfig, buildCatchAllVirtualHost (ALLOW_ANY),
// buildSidecarInboundHTTPRouteConfig; route.go BuildDefaultHTTPInboundRoute; retry.go
// (reset-before-request inbound retries, none for gRPC).

import { create } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';
import type { ProxyNode } from '../../xds-server/proxy-node.js';
import { hostRoutes } from '../build-route-config.js';
import type { MeshService } from '../mesh-input.js';
import { durationFromMs } from '../proto-values.js';
import type { ServiceIndex } from '../service-index.js';
import { isHttp, type PortProtocol, portProtocol } from './port-protocol.js';
import { ALLOW_ANY, PASSTHROUGH_CLUSTER } from './sidecar-names.js';
import { virtualHostDomains } from './virtual-host-domains.js';

/** istiod's cap on a direct response body (1 MiB). */
const MAX_DIRECT_RESPONSE_BODY = 1024 * 1024;

/** Services with an HTTP port numbered `port`, as a sidecar's port listener serves them. */
export function httpServicesOnPort(index: ServiceIndex, port: number): MeshService[] {
  return index.services.filter((s) => s.ports.some((p) => p.number === port && isHttp(portProtocol(p))));
}

/** The outbound route config named `port`, or undefined when no HTTP service has that port. */
export function buildPortRouteConfiguration(
  index: ServiceIndex,
  port: number,
  client: ProxyNode,
): envoy.RouteConfiguration | undefined {
  const services = httpServicesOnPort(index, port);
  if (services.length === 0) return undefined;
  const seen = new Set<string>();
  const virtualHosts: envoy.VirtualHost[] = [];
  for (const service of services) {
    const host = service.hostname.toLowerCase();
    const routes = hostRoutes({
      index,
      host,
      port,
      clientNamespace: client.namespace,
      clientLabels: client.labels,
      client,
      sidecar: true,
    });
    // A virtual host whose routes all matched other workloads is left out, as istiod does.
    if (routes.length === 0) continue;
    // Envoy rejects a domain served by two virtual hosts: the first service keeps it.
    const domains = virtualHostDomains(host, client.dnsDomain).filter((d) => !seen.has(d));
    for (const d of domains) seen.add(d);
    if (domains.length === 0) continue;
    virtualHosts.push(create(envoy.VirtualHostSchema, { name: `${host}:${port}`, domains, routes }));
  }
  virtualHosts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  virtualHosts.push(allowAnyVirtualHost());
  return create(envoy.RouteConfigurationSchema, {
    name: String(port),
    virtualHosts,
    validateClusters: false,
    maxDirectResponseBodySizeBytes: MAX_DIRECT_RESPONSE_BODY,
    ignorePortInHostMatching: true,
  });
}

/** ALLOW_ANY: a request for a host no service has leaves through the PassthroughCluster. */
function allowAnyVirtualHost(): envoy.VirtualHost {
  return create(envoy.VirtualHostSchema, {
    name: ALLOW_ANY,
    domains: ['*'],
    routes: [
      create(envoy.RouteSchema, {
        name: ALLOW_ANY,
        match: { pathSpecifier: { case: 'prefix', value: '/' } },
        action: {
          case: 'route',
          value: create(envoy.RouteActionSchema, {
            clusterSpecifier: { case: 'cluster', value: PASSTHROUGH_CLUSTER },
            timeout: durationFromMs(0),
            maxStreamDuration: { grpcTimeoutHeaderMax: durationFromMs(0) },
          }),
        },
      }),
    ],
  });
}

export interface InboundRouteOptions {
  /** The route config's and the target cluster's name (`inbound|9080||`, InboundPassthroughCluster). */
  cluster: string;
  /** The service port the virtual host is named after (`inbound|http|9080`); 0 for passthrough. */
  servicePort: number;
  /** The service host, for the tracing operation (empty for passthrough). */
  host: string;
  protocol: PortProtocol;
}

/** The inline route config of an inbound HTTP chain: everything to the workload, no timeout. */
export function buildInboundRouteConfiguration(options: InboundRouteOptions): envoy.RouteConfiguration {
  const action = create(envoy.RouteActionSchema, {
    clusterSpecifier: { case: 'cluster', value: options.cluster },
    timeout: durationFromMs(0),
    maxStreamDuration: { maxStreamDuration: durationFromMs(0), grpcTimeoutHeaderMax: durationFromMs(0) },
  });
  // Retrying a reset before the request was sent is safe, except for gRPC streams.
  if (options.protocol !== 'grpc') {
    action.retryPolicy = create(envoy.RetryPolicySchema, { retryOn: 'reset-before-request', numRetries: 2 });
  }
  return create(envoy.RouteConfigurationSchema, {
    name: options.cluster,
    virtualHosts: [
      create(envoy.VirtualHostSchema, {
        name: `inbound|http|${options.servicePort}`,
        domains: ['*'],
        routes: [
          create(envoy.RouteSchema, {
            name: 'default',
            match: { pathSpecifier: { case: 'prefix', value: '/' } },
            decorator: { operation: `${options.host}:${options.servicePort}/*` },
            action: { case: 'route', value: action },
          }),
        ],
      }),
    ],
    validateClusters: false,
  });
}
