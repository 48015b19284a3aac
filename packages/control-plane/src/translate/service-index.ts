// Lookups over one MeshInput: services by host and interface, endpoints by host and port, and the
// VirtualService and DestinationRule that apply to a host.
// Istio: short-name resolution (model.ResolveShortnameToFQDN), VirtualService and DestinationRule
// host matching (exact host before wildcard, oldest first).

import type { ConfigObject } from '../config/config-object.js';
import { DEFAULT_DOMAIN_SUFFIX, hostMatches, resolveShortName } from '../config/hostnames.js';
import { configuredEndpoints } from '../dubbo/configurator-effects.js';
import { DubboRuleIndex } from '../dubbo/dubbo-rule-index.js';
import {
  dubboDestinationRuleAsIstio,
  dubboVirtualServiceAsIstio,
  type SubsetLookup,
  usableIn,
} from '../dubbo/mesh-rules.js';
import type { MeshEndpoint, MeshInput, MeshService } from './mesh-input.js';
import { splitHostPort } from './resource-names.js';

export interface ResolvedTarget {
  service: MeshService;
  port: number;
}

export class ServiceIndex implements SubsetLookup {
  readonly #byHost = new Map<string, MeshService>();
  readonly #byInterface = new Map<string, { service: MeshService; port?: number }>();
  readonly #endpoints = new Map<string, MeshEndpoint[]>();
  readonly #input: MeshInput;
  readonly #interfacesOf = new Map<string, string[]>();
  /** Istio's DestinationRules, then Dubbo's (an Istio rule wins a tie). */
  readonly #destinationRules: readonly ConfigObject<'DestinationRule'>[];
  /** Istio's VirtualServices, then Dubbo's (built on first use: their fallbacks read instances). */
  #virtualServices: readonly ConfigObject<'VirtualService'>[] | undefined;
  /** Dubbo's rules of this input. */
  readonly dubbo: DubboRuleIndex;

  constructor(input: MeshInput) {
    this.#input = input;
    this.dubbo = new DubboRuleIndex(input.dubbo);
    this.#destinationRules = [
      ...input.destinationRules,
      ...(input.dubbo?.destinationRules ?? []).map(dubboDestinationRuleAsIstio),
    ];
    for (const service of input.services) {
      const host = service.hostname.toLowerCase();
      if (!this.#byHost.has(host)) this.#byHost.set(host, service);
    }
    for (const target of input.interfaces ?? []) {
      const service = this.#byHost.get(target.hostname.toLowerCase());
      if (service && !this.#byInterface.has(target.interface)) {
        this.#byInterface.set(target.interface, { service, port: target.port });
      }
    }
    for (const service of input.services) {
      for (const name of service.interfaces ?? [])
        if (!this.#byInterface.has(name)) this.#byInterface.set(name, { service });
    }
    for (const endpoint of input.endpoints) {
      const key = endpointKey(endpoint.hostname, endpoint.servicePort);
      const list = this.#endpoints.get(key);
      if (list) list.push(endpoint);
      else this.#endpoints.set(key, [endpoint]);
    }
  }

  get services(): readonly MeshService[] {
    return this.#input.services;
  }

  service(host: string): MeshService | undefined {
    return this.#byHost.get(host.toLowerCase());
  }

  /** The host serving an interface, and the port its registrations announced (if any). */
  serviceForInterface(name: string): { service: MeshService; port?: number } | undefined {
    return this.#byInterface.get(name);
  }

  interfaces(): string[] {
    return [...this.#byInterface.keys()];
  }

  /**
   * The instances of a host and port, with Dubbo's configurators' weights applied (those they take
   * out, the registry's InstanceHealth already sends UNHEALTHY).
   */
  endpoints(host: string, port: number): readonly MeshEndpoint[] {
    const raw = this.#endpoints.get(endpointKey(host.toLowerCase(), port)) ?? [];
    return this.dubbo.configItems.length === 0
      ? raw
      : configuredEndpoints(raw, this.dubbo, this.interfacesOf(host));
  }

  /** Whether a host (any port, or one) has a usable instance in a subset of its DestinationRule. */
  hasUsableEndpoints(host: string, port: number | undefined, subset: string | undefined): boolean {
    const service = this.service(host);
    if (!service) return false;
    const labels = subset
      ? this.destinationRuleFor(service.hostname)?.spec.subsets?.find((s) => s.name === subset)?.labels
      : undefined;
    if (subset && !labels) return false;
    const ports = port === undefined ? service.ports.map((p) => p.number) : [port];
    return ports.some((p) => usableIn(this.endpoints(service.hostname, p), labels));
  }

  /** The interfaces a host serves (its own list and the registrations that map to it). */
  interfacesOf(host: string): string[] {
    const key = host.toLowerCase();
    let list = this.#interfacesOf.get(key);
    if (!list) {
      list = this.#collectInterfaces(key);
      this.#interfacesOf.set(key, list);
    }
    return list;
  }

  #collectInterfaces(host: string): string[] {
    const service = this.service(host);
    const out = new Set(service?.interfaces ?? []);
    for (const [name, target] of this.#byInterface) if (target.service === service) out.add(name);
    for (const t of this.#input.interfaces ?? []) if (t.hostname.toLowerCase() === host) out.add(t.interface);
    return [...out];
  }

  /**
   * A listener name as a client dialled it (`reviews:9080`, `reviews.default:9080`,
   * `reviews.default.svc.cluster.local:9080`) → the service and port. Without a port, a service
   * with exactly one port is taken on that port.
   */
  resolveDialled(name: string, clientNamespace: string): ResolvedTarget | undefined {
    const hp = splitHostPort(name);
    if (!hp) return undefined;
    for (const candidate of hostCandidates(hp.host, clientNamespace)) {
      const service = this.service(candidate);
      if (!service) continue;
      if (hp.port === undefined) {
        const only = service.ports.length === 1 ? service.ports[0] : undefined;
        return only ? { service, port: only.number } : undefined;
      }
      return service.ports.some((p) => p.number === hp.port) ? { service, port: hp.port } : undefined;
    }
    return undefined;
  }

  /** An Istio VirtualService by name and namespace (a delegate's target: Istio's delegation). */
  virtualServiceNamed(name: string, namespace: string): ConfigObject<'VirtualService'> | undefined {
    return this.#input.virtualServices.find(
      (vs) => vs.metadata.name === name && vs.metadata.namespace === namespace,
    );
  }

  /** The VirtualService for a host: one naming it exactly, else the most specific wildcard. */
  virtualServiceFor(host: string): ConfigObject<'VirtualService'> | undefined {
    let best: { vs: ConfigObject<'VirtualService'>; rank: number } | undefined;
    this.#virtualServices ??= [
      ...this.#input.virtualServices,
      ...(this.#input.dubbo?.virtualServices ?? []).map((o) => dubboVirtualServiceAsIstio(o, this)),
    ];
    for (const vs of this.#virtualServices) {
      if ((vs.spec.gateways?.length ?? 0) > 0 && !vs.spec.gateways?.includes('mesh')) continue;
      for (const h of vs.spec.hosts ?? []) {
        const resolved = resolveShortName(h, vs.metadata.namespace);
        if (!hostMatches(resolved, host)) continue;
        const rank =
          resolved.toLowerCase() === host.toLowerCase() ? Number.MAX_SAFE_INTEGER : resolved.length;
        if (!best || rank > best.rank) best = { vs, rank };
      }
    }
    return best?.vs;
  }

  /** The DestinationRule for a host, preferring one in the client's namespace among equals. */
  destinationRuleFor(host: string, clientNamespace?: string): ConfigObject<'DestinationRule'> | undefined {
    let best: { dr: ConfigObject<'DestinationRule'>; rank: number } | undefined;
    for (const dr of this.#destinationRules) {
      if (dr.spec.workloadSelector) continue; // applies to sidecars of selected workloads only
      const resolved = resolveShortName(dr.spec.host, dr.metadata.namespace);
      if (!hostMatches(resolved, host)) continue;
      const exact = resolved.toLowerCase() === host.toLowerCase();
      const rank =
        (exact ? 1_000_000 : resolved.length * 2) + (dr.metadata.namespace === clientNamespace ? 1 : 0);
      if (!best || rank > best.rank) best = { dr, rank };
    }
    return best?.dr;
  }
}

/** The host names a dialled host may stand for, most literal first (istiod's short names). */
export function hostCandidates(host: string, namespace: string, suffix = DEFAULT_DOMAIN_SUFFIX): string[] {
  const out = [host];
  const dots = host.split('.').length - 1;
  if (dots === 0) out.push(resolveShortName(host, namespace, suffix));
  else if (dots === 1) out.push(`${host}.svc.${suffix}`);
  else if (host.endsWith('.svc')) out.push(`${host}.${suffix}`);
  return out;
}

function endpointKey(host: string, port: number): string {
  return `${host}|${port}`;
}
