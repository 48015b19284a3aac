// The names istiod gives an Envoy sidecar's resources, so `istioctl proxy-config` users find what
// they expect: the capture listeners, per-port listeners and routes, inbound and catch-all
// clusters, filter chains and stat prefixes.
// Istio: model/listener.go (virtualOutbound, virtualInbound and their chain names),
// networking/util (PassthroughCluster, BlackHoleCluster, InboundPassthroughCluster, allow_any),
// model.BuildInboundSubsetKey (`inbound|PORT||`), getListenerName (`0.0.0.0_PORT`).

export const VIRTUAL_OUTBOUND = 'virtualOutbound';
export const VIRTUAL_INBOUND = 'virtualInbound';
/** Where iptables sends a pod's outbound and inbound connections (mesh proxyListenPort, proxyInboundListenPort). */
export const OUTBOUND_CAPTURE_PORT = 15001;
export const INBOUND_CAPTURE_PORT = 15006;

export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';
export const INBOUND_PASSTHROUGH_CLUSTER = 'InboundPassthroughCluster';
/** Names of the catch-all sidecar clusters, the ones every sidecar gets. */
export const CATCH_ALL_CLUSTERS = [BLACKHOLE_CLUSTER, INBOUND_PASSTHROUGH_CLUSTER, PASSTHROUGH_CLUSTER];

export const OUTBOUND_BLACKHOLE_CHAIN = 'virtualOutbound-blackhole';
export const OUTBOUND_CATCH_ALL_TCP_CHAIN = 'virtualOutbound-catchall-tcp';
export const INBOUND_BLACKHOLE_CHAIN = 'virtualInbound-blackhole';
export const INBOUND_CATCH_ALL_HTTP_CHAIN = 'virtualInbound-catchall-http';
export const PASSTHROUGH_FILTER_CHAIN = 'PassthroughFilterChain';
/** The catch-all virtual host (and its route) of an outbound route config, under ALLOW_ANY. */
export const ALLOW_ANY = 'allow_any';

/** The wildcard a sidecar's per-port listeners are named after (IPv4). */
export const WILDCARD = '0.0.0.0';
/** iptables lets traffic from this source through, so inbound traffic does not loop back. */
export const INBOUND_PASSTHROUGH_BIND_IP = '127.0.0.6';

/** `0.0.0.0_9080`: the outbound listener of a port, and the inbound filter chain of a target port. */
export function portListenerName(port: number): string {
  return `${WILDCARD}_${port}`;
}

/** The port of a `0.0.0.0_PORT` name, undefined for any other name. */
export function parsePortListenerName(name: string): number | undefined {
  const m = /^0\.0\.0\.0_(\d{1,5})$/.exec(name);
  const port = m ? Number(m[1]) : 0;
  return port > 0 && port <= 65535 ? port : undefined;
}

/** `9080`: the outbound route config of a port, shared by every HTTP service on it. */
export function parsePortRouteName(name: string): number | undefined {
  if (!/^\d{1,5}$/.test(name)) return undefined;
  const port = Number(name);
  return port > 0 && port <= 65535 ? port : undefined;
}

/** `inbound|9080||`: the cluster (and inline route config) for traffic to the workload's port. */
export function inboundClusterName(targetPort: number): string {
  return `inbound|${targetPort}||`;
}

/** istiod's stat prefixes end in `;` so that its stats can be split into tags. */
export function statName(name: string): string {
  return `${name};`;
}
