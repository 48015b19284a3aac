// Dubbo's registrations as Shoal's registry model, and Shoal's as Dubbo's. An interface-level
// provider URL (`tri://ip:port/iface?application=...&version=...`) is an endpoint of its
// application's host, serving the interface, labelled with its parameters (version, group,
// release, methods, timeout, ... and the user's own); `weight` is its weight, and `timeout` is
// the route's timeout when no rule sets one, as it is the consumers' in Dubbo. An application-level
// ServiceInstance (Curator's JSON with Dubbo's metadata) is an endpoint per Triple or gRPC port
// of `dubbo.endpoints`, serving the interfaces `/dubbo/mapping` maps to the app. The `dubbo`
// protocol (Dubbo 2's binary one) is not something Shoal speaks: those URLs are skipped.
// Dubbo: ZookeeperRegistry (toUrlPath), ZookeeperServiceDiscovery / CuratorFrameworkUtils
// (ServiceInstance JSON), ServiceInstanceMetadataUtils (dubbo.endpoints), URL parameters.

import { resolveShortName } from '../../config/hostnames.js';
import type { RegisteredInstance, RegistryEndpoint } from '../registry-types.js';
import { type DubboUrl, formatDubboUrl } from './dubbo-url.js';

/** Protocols that are gRPC on the wire (Triple, gRPC), which Shoal's clients call. */
export const GRPC_PROTOCOLS = new Set(['tri', 'grpc']);

/** Dubbo's default weight; Shoal's registrations weigh 1 where Dubbo's weigh 100. */
export const DUBBO_WEIGHT = 100;

/** The URL parameter that marks a provider URL Shoal wrote for one of its own registrations. */
export const SHOAL_NODE_PARAM = 'shoal.node';

/** Dubbo's own bookkeeping parameters: not labels. */
const INTERNAL = new Set([
  'anyhost',
  'background',
  'bean.name',
  'category',
  'delay',
  'deprecated',
  'dubbo',
  'dynamic',
  'executor-management-mode',
  'file.cache',
  'generic',
  'interface',
  'ipv6',
  'pid',
  'prefer.serialization',
  'register-mode',
  'service-name-mapping',
  'timestamp',
  'token',
  'weight',
  SHOAL_NODE_PARAM,
]);

export interface ZkEndpoint extends RegistryEndpoint {
  /** The application the instance belongs to. */
  app: string;
}

/** A provider URL as an endpoint of its app's host; undefined (with why) when Shoal cannot call it. */
export function endpointOfProviderUrl(
  url: DubboUrl,
  namespace: string,
  domainSuffix: string,
): ZkEndpoint | { skipped: string } {
  if ((url.params.side ?? 'provider') !== 'provider') return { skipped: 'not a provider' };
  if (!GRPC_PROTOCOLS.has(url.protocol))
    return { skipped: `protocol ${url.protocol} (Shoal calls tri and grpc)` };
  const app = url.params.application;
  if (!app) return { skipped: 'no application parameter' };
  if (!url.host || url.port <= 0) return { skipped: 'no address' };
  const iface = url.params.interface ?? url.path.slice(url.path.indexOf('/') + 1);
  const labels: Record<string, string> = { protocol: url.protocol };
  for (const [k, v] of Object.entries(url.params)) if (!INTERNAL.has(k)) labels[k] = v;
  const weight = Number(url.params.weight ?? DUBBO_WEIGHT);
  const hostname = resolveShortName(app, namespace, domainSuffix).toLowerCase();
  return {
    app,
    hostname,
    servicePort: url.port,
    address: url.host,
    port: url.port,
    labels,
    // Dubbo sends a weight-0 provider nothing; xDS weights are at least 1, so it is unhealthy.
    weight: Number.isInteger(weight) && weight > 0 ? weight : weight === 0 ? 1 : DUBBO_WEIGHT,
    health: weight === 0 ? 'UNHEALTHY' : 'HEALTHY',
    interfaces: iface ? [iface] : [],
    origin: `zookeeper:${url.protocol}://${url.host}:${url.port}/${iface}`,
    namespace,
  };
}

/** Curator's ServiceInstance JSON, as Dubbo writes it under `/services/<app>/<ip:port>`. */
interface CuratorInstance {
  name?: string;
  id?: string;
  address?: string;
  port?: number;
  payload?: { metadata?: Record<string, string> };
}

/** An application-level instance as endpoints (one per tri/grpc port); [] when unreadable. */
export function endpointsOfServiceInstance(
  app: string,
  json: string,
  interfaces: readonly string[],
  namespace: string,
  domainSuffix: string,
): ZkEndpoint[] {
  let instance: CuratorInstance;
  try {
    instance = JSON.parse(json) as CuratorInstance;
  } catch {
    return [];
  }
  const address = instance.address;
  if (!address) return [];
  const metadata = instance.payload?.metadata ?? {};
  let ports: { port: number; protocol: string }[] = [];
  try {
    ports = metadata['dubbo.endpoints'] ? (JSON.parse(metadata['dubbo.endpoints']) as typeof ports) : [];
  } catch {
    ports = [];
  }
  if (ports.length === 0 && instance.port) ports = [{ port: instance.port, protocol: 'tri' }];
  const labels: Record<string, string> = { application: app };
  for (const [k, v] of Object.entries(metadata))
    if (!k.startsWith('dubbo.') && k !== 'timestamp') labels[k] = String(v);
  const hostname = resolveShortName(app, namespace, domainSuffix).toLowerCase();
  return ports
    .filter((p) => GRPC_PROTOCOLS.has(p.protocol) && Number.isInteger(p.port) && p.port > 0)
    .map((p) => ({
      app,
      hostname,
      servicePort: p.port,
      address,
      port: p.port,
      labels: { ...labels, protocol: p.protocol },
      weight: DUBBO_WEIGHT,
      health: 'HEALTHY' as const,
      interfaces: [...interfaces],
      origin: `zookeeper:/services/${app}/${instance.id ?? `${address}:${p.port}`}`,
      namespace,
    }));
}

/** The provider URL a Shoal registration announces for one interface (Dubbo's consumers read it). */
export function providerUrlOf(r: RegisteredInstance, iface: string, release: string, since: number): string {
  const params: Record<string, string> = {
    application: r.app,
    anyhost: 'false',
    category: 'providers',
    deprecated: 'false',
    dubbo: '2.0.2',
    dynamic: 'true',
    generic: 'false',
    interface: iface,
    release,
    side: 'provider',
    timestamp: String(since),
    weight: String(r.weight * DUBBO_WEIGHT),
    [SHOAL_NODE_PARAM]: r.nodeId,
  };
  // Shoal's `version` label names a release (v1, v2); Dubbo's version and group name the service.
  for (const [k, v] of Object.entries(r.labels)) {
    if (k === 'version' || k === 'group') continue;
    if (k === 'dubbo.version' || k === 'dubbo.group') params[k.slice(6)] = v;
    else if (!(k in params)) params[k] = v;
  }
  return formatDubboUrl({ protocol: 'tri', host: r.address, port: r.port, path: iface, params });
}
