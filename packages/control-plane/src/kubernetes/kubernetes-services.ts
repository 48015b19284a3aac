// The registry's Kubernetes source: Services (hosts, ports, protocols by port name or
// appProtocol), EndpointSlices (the ready addresses behind each service port) and Pods (labels,
// zone, service account of each address), watched through informers. Istio: the kube service
// registry (pilot/pkg/serviceregistry/kube/controller: services, endpointslices, pods).

import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { formatLocality } from '@shoal/xds';
import type { KubernetesServiceSpec } from '../config/config-object.js';
import { kubernetesServiceHost } from '../config/hostnames.js';
import { INTERFACES_ANNOTATION, protocolOf } from '../registry/config-services.js';
import type { DiscoverySource } from '../registry/discovery-source.js';
import type {
  EndpointHealth,
  RegistryEndpoint,
  RegistryService,
  RegistryServicePort,
} from '../registry/registry-types.js';
import { ENDPOINT_SLICES, PODS, type RunningInformers, SERVICES, startInformers } from './kube-resources.js';

interface ServiceObject extends KubernetesObject {
  spec?: KubernetesServiceSpec;
}

interface SliceObject extends KubernetesObject {
  addressType?: string;
  endpoints?: {
    addresses: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    targetRef?: { kind?: string; name?: string; namespace?: string };
    zone?: string;
  }[];
  ports?: { name?: string; port?: number; protocol?: string; appProtocol?: string }[];
}

interface PodObject extends KubernetesObject {
  spec?: { serviceAccountName?: string };
}

export interface KubernetesServicesOptions {
  kubeconfig: KubeConfig;
  /** Namespaces to read; empty means all. */
  namespaces: readonly string[];
  domainSuffix?: string;
  onError?: (what: string, err: unknown) => void;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export class KubernetesServices implements DiscoverySource {
  readonly description: string;
  readonly #options: KubernetesServicesOptions;
  readonly #services = new Map<string, ServiceObject>();
  readonly #slices = new Map<string, SliceObject>();
  readonly #pods = new Map<string, PodObject>();
  readonly #informers: RunningInformers[] = [];
  #onChange: (hostnames: string[]) => void = () => {};
  #view: { services: RegistryService[]; endpoints: RegistryEndpoint[] } | undefined;
  #version = 0;
  #started = false;

  constructor(options: KubernetesServicesOptions) {
    this.#options = options;
    const ns =
      options.namespaces.length > 0 ? `namespaces ${options.namespaces.join(', ')}` : 'all namespaces';
    this.description = `Kubernetes Services, EndpointSlices and Pods (${ns})`;
  }

  get version(): number {
    return this.#version;
  }

  async start(onChange: (hostnames: string[]) => void): Promise<void> {
    const { kubeconfig, namespaces } = this.#options;
    const track = <T extends KubernetesObject>(map: Map<string, T>, host: (o: T) => string | undefined) => ({
      upsert: (o: KubernetesObject) => {
        map.set(keyOf(o), o as T);
        this.#changed(host(o as T));
      },
      delete: (o: KubernetesObject) => {
        map.delete(keyOf(o));
        this.#changed(host(o as T));
      },
      error: (err: unknown) =>
        this.#options.onError?.(`watching ${map === this.#pods ? 'pods' : 'services'}`, err),
    });
    // Pods first, so that the first view of each slice has its pods' labels.
    const watched = [
      { resource: PODS, handlers: track(this.#pods, () => undefined) },
      { resource: SERVICES, handlers: track(this.#services, (s) => this.#host(s)) },
      { resource: ENDPOINT_SLICES, handlers: track(this.#slices, (s) => this.#host(s)) },
    ];
    for (const { resource, handlers } of watched)
      this.#informers.push(await startInformers(kubeconfig, resource, namespaces, handlers));
    this.#onChange = onChange;
    this.#started = true;
  }

  services(): readonly RegistryService[] {
    return this.#current().services;
  }

  endpoints(): readonly RegistryEndpoint[] {
    return this.#current().endpoints;
  }

  async close(): Promise<void> {
    await Promise.all(this.#informers.splice(0).map((i) => i.stop()));
  }

  #changed(host: string | undefined): void {
    this.#view = undefined;
    this.#version++;
    // A pod's change reaches every host it backs: tell them all (the view is rebuilt anyway).
    if (this.#started)
      this.#onChange(host ? [host] : [...new Set(this.#current().services.map((s) => s.hostname))]);
  }

  /** The host of a Service, or of the Service an EndpointSlice belongs to. */
  #host(o: ServiceObject | SliceObject): string | undefined {
    const name = o.kind === 'EndpointSlice' ? o.metadata?.labels?.[SERVICE_NAME_LABEL] : o.metadata?.name;
    return name
      ? kubernetesServiceHost(name, o.metadata?.namespace ?? 'default', this.#options.domainSuffix)
      : undefined;
  }

  #current(): { services: RegistryService[]; endpoints: RegistryEndpoint[] } {
    if (this.#view) return this.#view;
    const services: RegistryService[] = [];
    const byKey = new Map<string, { service: RegistryService; names: string[] }>();
    for (const [key, s] of this.#services) {
      const hostname = this.#host(s);
      if (!hostname || s.spec?.type === 'ExternalName') continue;
      const ports: RegistryServicePort[] = (s.spec?.ports ?? []).map((p) => {
        const protocol = protocolOf(p.appProtocol ?? p.name);
        return {
          name: p.name ?? `port-${p.port}`,
          number: p.port,
          ...(protocol && { protocol }),
          ...(typeof p.targetPort === 'number' && { targetPort: p.targetPort }),
        };
      });
      const service: RegistryService = {
        hostname,
        namespace: s.metadata?.namespace ?? 'default',
        ports,
        interfaces: interfacesOf(s),
        source: 'Service',
        resolution: 'STATIC',
      };
      services.push(service);
      byKey.set(key, { service, names: (s.spec?.ports ?? []).map((p) => p.name ?? '') });
    }
    const endpoints: RegistryEndpoint[] = [];
    for (const slice of this.#slices.values()) {
      const namespace = slice.metadata?.namespace ?? 'default';
      const serviceName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
      const found = serviceName ? byKey.get(`${namespace}/${serviceName}`) : undefined;
      if (!found || slice.addressType === 'FQDN') continue;
      const { service, names } = found;
      for (const ep of slice.endpoints ?? []) {
        const pod =
          ep.targetRef?.kind === 'Pod'
            ? this.#pods.get(`${ep.targetRef.namespace ?? namespace}/${ep.targetRef.name}`)
            : undefined;
        const labels = { ...(pod?.metadata?.labels ?? {}) };
        const locality = formatLocality({
          region: labels['topology.kubernetes.io/region'],
          zone: ep.zone ?? labels['topology.kubernetes.io/zone'],
          subZone: labels['topology.istio.io/subzone'],
        });
        const health = healthOf(ep.conditions);
        const serviceAccount = pod?.spec?.serviceAccountName;
        service.ports.forEach((port, i) => {
          // EndpointSlice ports carry the service port's name (both empty for a single unnamed port).
          const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === names[i]);
          const target = slicePort?.port ?? port.targetPort ?? port.number;
          for (const address of ep.addresses) {
            endpoints.push({
              hostname: service.hostname,
              servicePort: port.number,
              address,
              port: target,
              labels,
              ...(locality && { locality }),
              weight: 1,
              health,
              interfaces: service.interfaces,
              origin: `EndpointSlice/${namespace}/${slice.metadata?.name}`,
              namespace,
              ...(serviceAccount && { serviceAccount }),
            });
          }
        });
      }
    }
    services.sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
    this.#view = { services, endpoints };
    return this.#view;
  }
}

function keyOf(o: KubernetesObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function interfacesOf(o: KubernetesObject): string[] {
  return (o.metadata?.annotations?.[INTERFACES_ANNOTATION] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** EndpointSlice conditions: ready (nil counts as ready), terminating but serving drains. */
function healthOf(
  c: { ready?: boolean; serving?: boolean; terminating?: boolean } | undefined,
): EndpointHealth {
  if (c?.ready !== false) return 'HEALTHY';
  if (c.terminating && c.serving) return 'DRAINING';
  return 'UNHEALTHY';
}
