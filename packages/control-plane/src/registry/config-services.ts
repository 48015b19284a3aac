// Services and endpoints that config defines: ServiceEntry (hosts, ports, endpoints, workloadSelector
// → WorkloadEntries), Kubernetes Service (selector → WorkloadEntries), and — a Shoal extension for
// running without Kubernetes — a WorkloadEntry no one selects but that has an `app` label, which
// makes a service `<app>.<namespace>.svc.cluster.local` with the entry's named ports.
// Istio: serviceentry controller (convertServices, convertEndpoint), WorkloadEntry selection by
// ServiceEntry.workloadSelector and by Kubernetes Service selectors.

import type { AnyConfigObject, ConfigObject } from '../config/config-object.js';
import { objectKey } from '../config/config-object.js';
import { DEFAULT_DOMAIN_SUFFIX, kubernetesServiceHost, resolveShortName } from '../config/hostnames.js';
import type { WorkloadEntrySpec } from '../config/networking-types.js';
import type { RegistryEndpoint, RegistryService, RegistryServicePort } from './registry-types.js';

/** Annotation on a ServiceEntry, Service or WorkloadEntry naming the interfaces it serves (comma-separated). */
export const INTERFACES_ANNOTATION = 'shoal.io/interfaces';

const PROTOCOL_PREFIXES = [
  'grpc-web',
  'grpc',
  'http2',
  'https',
  'http',
  'tcp',
  'tls',
  'udp',
  'mongo',
  'redis',
  'mysql',
];

/** The kinds servicesFromConfig reads: a change to any other leaves the view as it was. */
export const SERVICE_KINDS: ReadonlySet<string> = new Set(['ServiceEntry', 'Service', 'WorkloadEntry']);

export interface ConfigView {
  services: RegistryService[];
  endpoints: RegistryEndpoint[];
}

export function servicesFromConfig(
  objects: readonly AnyConfigObject[],
  domainSuffix = DEFAULT_DOMAIN_SUFFIX,
): ConfigView {
  const view: ConfigView = { services: [], endpoints: [] };
  const workloads = objects.filter((o): o is ConfigObject<'WorkloadEntry'> => o.kind === 'WorkloadEntry');
  const selected = new Set<ConfigObject<'WorkloadEntry'>>();
  const select = (namespace: string, selector: Record<string, string> | undefined) =>
    workloads.filter((w) => {
      if (w.metadata.namespace !== namespace || !selector || Object.keys(selector).length === 0) return false;
      const labels = { ...w.metadata.labels, ...w.spec.labels };
      const match = Object.entries(selector).every(([k, v]) => labels[k] === v);
      if (match) selected.add(w);
      return match;
    });

  for (const o of objects) {
    if (o.kind === 'ServiceEntry')
      addServiceEntry(view, o, select(o.metadata.namespace, o.spec.workloadSelector?.labels));
    else if (o.kind === 'Service')
      addKubernetesService(view, o, select(o.metadata.namespace, o.spec.selector), domainSuffix);
  }
  for (const w of workloads) if (!selected.has(w)) addImplicitService(view, w, domainSuffix);
  return view;
}

function interfacesOf(o: AnyConfigObject): string[] {
  const raw = o.metadata.annotations?.[INTERFACES_ANNOTATION];
  return raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s)
    : [];
}

function workloadEndpoint(
  hostname: string,
  port: RegistryServicePort,
  spec: WorkloadEntrySpec,
  origin: string,
  namespace: string,
  interfaces: string[],
): RegistryEndpoint | undefined {
  if (!spec.address) return undefined; // network-only entries are reached through a gateway, which Shoal does not model
  return {
    hostname,
    servicePort: port.number,
    address: spec.address,
    port: spec.ports?.[port.name] ?? port.targetPort ?? port.number,
    labels: { ...spec.labels },
    ...(spec.locality ? { locality: spec.locality } : {}),
    weight: spec.weight && spec.weight > 0 ? spec.weight : 1,
    health: 'HEALTHY',
    interfaces,
    origin,
    namespace,
    ...(spec.serviceAccount ? { serviceAccount: spec.serviceAccount } : {}),
  };
}

function addServiceEntry(
  view: ConfigView,
  se: ConfigObject<'ServiceEntry'>,
  workloads: ConfigObject<'WorkloadEntry'>[],
): void {
  const ns = se.metadata.namespace;
  const ports: RegistryServicePort[] = (se.spec.ports ?? []).map((p) => ({
    name: p.name,
    number: p.number,
    ...(p.protocol ? { protocol: p.protocol.toUpperCase() } : {}),
    ...(p.targetPort ? { targetPort: p.targetPort } : {}),
  }));
  const resolution = se.spec.resolution ?? 'NONE';
  const seInterfaces = interfacesOf(se);
  const key = objectKey(se.kind, ns, se.metadata.name);
  for (const host of se.spec.hosts) {
    view.services.push({
      hostname: host.toLowerCase(),
      namespace: ns,
      ports,
      interfaces: [...seInterfaces],
      source: 'ServiceEntry',
      resolution,
      ...(se.spec.addresses ? { addresses: [...se.spec.addresses] } : {}),
    });
    if (host.startsWith('*') || resolution === 'NONE') continue;
    for (const port of ports) {
      se.spec.endpoints?.forEach((e, i) => {
        const ep = workloadEndpoint(host, port, e, `${key}[${i}]`, ns, seInterfaces);
        if (ep) view.endpoints.push(ep);
      });
      for (const w of workloads) {
        const origin = objectKey(w.kind, w.metadata.namespace, w.metadata.name);
        const ep = workloadEndpoint(host, port, w.spec, origin, ns, [...seInterfaces, ...interfacesOf(w)]);
        if (ep) view.endpoints.push(ep);
      }
      // DNS without endpoints: the host itself is resolved by the client.
      if ((resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') && !se.spec.endpoints?.length) {
        view.endpoints.push({
          hostname: host,
          servicePort: port.number,
          address: host,
          port: port.targetPort ?? port.number,
          labels: {},
          weight: 1,
          health: 'HEALTHY',
          interfaces: seInterfaces,
          origin: key,
          namespace: ns,
        });
      }
    }
  }
}

function addKubernetesService(
  view: ConfigView,
  svc: ConfigObject<'Service'>,
  workloads: ConfigObject<'WorkloadEntry'>[],
  domainSuffix: string,
): void {
  const ns = svc.metadata.namespace;
  const hostname = kubernetesServiceHost(svc.metadata.name, ns, domainSuffix);
  const ports: RegistryServicePort[] = (svc.spec.ports ?? []).map((p) => {
    const protocol = protocolOf(p.appProtocol ?? p.name);
    return {
      name: p.name ?? `port-${p.port}`,
      number: p.port,
      ...(protocol ? { protocol } : {}),
      ...(typeof p.targetPort === 'number' ? { targetPort: p.targetPort } : {}),
    };
  });
  const interfaces = interfacesOf(svc);
  view.services.push({ hostname, namespace: ns, ports, interfaces, source: 'Service', resolution: 'STATIC' });
  for (const port of ports) {
    for (const w of workloads) {
      const origin = objectKey(w.kind, w.metadata.namespace, w.metadata.name);
      const ep = workloadEndpoint(hostname, port, w.spec, origin, ns, [...interfaces, ...interfacesOf(w)]);
      if (ep) view.endpoints.push(ep);
    }
  }
}

function addImplicitService(view: ConfigView, w: ConfigObject<'WorkloadEntry'>, domainSuffix: string): void {
  const app = w.spec.labels?.app ?? w.metadata.labels?.app;
  if (!app || !w.spec.ports || Object.keys(w.spec.ports).length === 0) return;
  const ns = w.metadata.namespace;
  const hostname = resolveShortName(app, ns, domainSuffix).toLowerCase();
  const interfaces = interfacesOf(w);
  let service = view.services.find((s) => s.hostname === hostname);
  if (!service) {
    service = {
      hostname,
      namespace: ns,
      ports: [],
      interfaces: [],
      source: 'WorkloadEntry',
      resolution: 'STATIC',
    };
    view.services.push(service);
  }
  if (service.source !== 'WorkloadEntry') return; // an explicit service of that name wins
  for (const i of interfaces) if (!service.interfaces.includes(i)) service.interfaces.push(i);
  for (const [name, number] of Object.entries(w.spec.ports)) {
    let port = service.ports.find((p) => p.name === name);
    if (!port) {
      const protocol = protocolOf(name);
      port = { name, number, ...(protocol ? { protocol } : {}) };
      service.ports.push(port);
    }
    const ep = workloadEndpoint(
      hostname,
      port,
      w.spec,
      objectKey(w.kind, ns, w.metadata.name),
      ns,
      interfaces,
    );
    if (ep) view.endpoints.push(ep);
  }
}

/** Istio's protocol selection from a port name (`grpc-api` → GRPC) or an appProtocol. */
export function protocolOf(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const lower = name.toLowerCase();
  const prefix = PROTOCOL_PREFIXES.find((p) => lower === p || lower.startsWith(`${p}-`));
  return prefix?.toUpperCase();
}
