// The in-memory registry: services and endpoints from config (ServiceEntry, WorkloadEntry,
// Kubernetes Service) plus self-registered instances whose lease is their live ADS stream.
// When a lease ends, the instance stays for a grace period (it may reconnect), then goes.
// Istio: WorkloadGroup auto-registration (the connection is the lease, cleanup after a grace period).

import type { AnyConfigObject } from '../config/config-object.js';
import type { ConfigStore } from '../config/config-store.js';
import { canonicalJson } from '../config/config-store.js';
import { DEFAULT_DOMAIN_SUFFIX } from '../config/hostnames.js';
import { type ConfigView, servicesFromConfig } from './config-services.js';
import type {
  InterfaceTarget,
  RegisteredInstance,
  RegistrationLease,
  Registry,
  RegistryEndpoint,
  RegistryEvent,
  RegistryListener,
  RegistryService,
} from './registry-types.js';

export interface InMemoryRegistryOptions {
  /** Feed config from this store (and follow its changes) until `close`. */
  store?: ConfigStore;
  /** How long an instance whose lease ended stays registered. Default 10 s. */
  graceMs?: number;
  domainSuffix?: string;
  onListenerError?: (err: unknown) => void;
}

interface Registered {
  registration: RegisteredInstance;
  /** Changes on every register(), so a superseded lease cannot remove the new one. */
  token: symbol;
  timer?: NodeJS.Timeout;
}

interface View {
  services: RegistryService[];
  byHost: Map<string, RegistryService>;
  endpoints: RegistryEndpoint[];
  interfaces: Map<string, InterfaceTarget[]>;
}

export class InMemoryRegistry implements Registry {
  readonly #graceMs: number;
  readonly #domainSuffix: string;
  readonly #listeners = new Set<RegistryListener>();
  readonly #registered = new Map<string, Registered>();
  readonly #onListenerError: (err: unknown) => void;
  #config: ConfigView = { services: [], endpoints: [] };
  /** Per host, a fingerprint of what config defines for it, to tell which hosts a config change touched. */
  #configPrints = new Map<string, string>();
  /** Services and endpoints another registry feeds in (ZooKeeper), by source, after config's. */
  readonly #external = new Map<string, ConfigView>();
  readonly #externalPrints = new Map<string, Map<string, string>>();
  #view: View | undefined;
  #version = 0;
  #unsubscribe: (() => void) | undefined;
  #closed = false;

  constructor(options: InMemoryRegistryOptions = {}) {
    this.#graceMs = options.graceMs ?? 10_000;
    this.#domainSuffix = options.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX;
    this.#onListenerError =
      options.onListenerError ?? ((err) => process.emitWarning(`registry listener failed: ${String(err)}`));
    const store = options.store;
    if (store) {
      this.#setConfig(store.list());
      this.#unsubscribe = store.subscribe(() => this.syncConfig(store.list()));
    }
  }

  get version(): number {
    return this.#version;
  }

  /** Replaces the config-defined part (for callers without a store, e.g. offline validation). */
  syncConfig(objects: readonly AnyConfigObject[]): void {
    const hostnames = this.#setConfig(objects);
    if (hostnames.length > 0) this.#changed({ reason: 'config', hostnames });
  }

  /** Installs a new config view; returns the hosts whose services or endpoints differ. */
  #setConfig(objects: readonly AnyConfigObject[]): string[] {
    this.#config = servicesFromConfig(objects, this.#domainSuffix);
    const { prints, changed } = diffHosts(this.#config, this.#configPrints);
    this.#configPrints = prints;
    return changed;
  }

  /**
   * Replaces what the external source `source` (a ZooKeeper registry, ...) says; config's
   * definitions of a host come first. Tells the listeners which hosts changed.
   */
  setExternal(source: string, view: ConfigView): void {
    if (this.#closed) return;
    this.#external.set(source, view);
    const { prints, changed } = diffHosts(view, this.#externalPrints.get(source) ?? new Map());
    this.#externalPrints.set(source, prints);
    if (changed.length > 0) this.#changed({ reason: 'external', hostnames: changed });
  }

  services(): readonly RegistryService[] {
    return this.#current().services;
  }

  service(hostname: string): RegistryService | undefined {
    return this.#current().byHost.get(hostname.toLowerCase());
  }

  endpoints(hostname?: string, servicePort?: number): readonly RegistryEndpoint[] {
    const all = this.#current().endpoints;
    if (hostname === undefined) return all;
    const host = hostname.toLowerCase();
    return all.filter(
      (e) => e.hostname === host && (servicePort === undefined || e.servicePort === servicePort),
    );
  }

  resolveInterface(name: string): InterfaceTarget[] {
    return this.#current().interfaces.get(name) ?? [];
  }

  interfaces(): string[] {
    return [...this.#current().interfaces.keys()].sort();
  }

  /** The live registrations (including those in their grace period). */
  registrations(): RegisteredInstance[] {
    return [...this.#registered.values()].map((r) => r.registration);
  }

  async register(registration: RegisteredInstance): Promise<RegistrationLease> {
    if (this.#closed) throw new Error('registry is closed');
    const nodeId = registration.nodeId;
    const previous = this.#registered.get(nodeId);
    clearTimeout(previous?.timer);
    const token = Symbol(nodeId);
    this.#registered.set(nodeId, { registration: structuredClone(registration), token });
    const hostnames = [...new Set([previous?.registration.hostname, registration.hostname])].filter(
      (h) => h !== undefined,
    );
    this.#changed({ reason: 'registered', nodeId, hostnames });
    const current = () => {
      const r = this.#registered.get(nodeId);
      return r && r.token === token ? r : undefined;
    };
    return {
      nodeId,
      end: () => {
        const r = current();
        if (!r || r.timer || this.#closed) return;
        r.timer = setTimeout(() => {
          if (current() !== r) return;
          this.#registered.delete(nodeId);
          this.#changed({ reason: 'expired', nodeId, hostnames: [r.registration.hostname] });
        }, this.#graceMs);
        r.timer.unref();
      },
      remove: () => {
        const r = current();
        if (!r) return;
        clearTimeout(r.timer);
        this.#registered.delete(nodeId);
        this.#changed({ reason: 'deregistered', nodeId, hostnames: [r.registration.hostname] });
      },
    };
  }

  subscribe(listener: RegistryListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const r of this.#registered.values()) clearTimeout(r.timer);
    this.#listeners.clear();
  }

  #changed(event: Omit<RegistryEvent, 'version'>): void {
    this.#view = undefined;
    this.#version++;
    const full: RegistryEvent = { version: this.#version, ...event };
    for (const listener of [...this.#listeners]) {
      try {
        listener(full);
      } catch (err) {
        this.#onListenerError(err);
      }
    }
  }

  /** Config-defined services and endpoints merged with the registered instances, built lazily. */
  #current(): View {
    if (this.#view) return this.#view;
    const byHost = new Map<string, RegistryService>();
    const services: RegistryService[] = [];
    const external = [...this.#external.values()];
    for (const s of [...this.#config.services, ...external.flatMap((v) => v.services)]) {
      if (byHost.has(s.hostname)) continue; // first definition wins, as in istiod
      const copy = { ...s, ports: [...s.ports], interfaces: [...s.interfaces] };
      byHost.set(s.hostname, copy);
      services.push(copy);
    }
    const endpoints = [...this.#config.endpoints, ...external.flatMap((v) => v.endpoints)];
    for (const { registration: r } of this.#registered.values()) {
      let service = byHost.get(r.hostname);
      if (!service) {
        service = {
          hostname: r.hostname,
          namespace: r.namespace,
          ports: [],
          interfaces: [],
          source: 'registration',
          resolution: 'STATIC',
        };
        byHost.set(r.hostname, service);
        services.push(service);
      }
      let port = service.ports.find((p) => p.number === r.port || p.targetPort === r.port);
      if (!port) {
        port = {
          name: service.ports.length === 0 ? 'grpc' : `grpc-${r.port}`,
          number: r.port,
          protocol: 'GRPC',
        };
        service.ports.push(port);
      }
      for (const i of r.interfaces) if (!service.interfaces.includes(i)) service.interfaces.push(i);
      endpoints.push({
        hostname: r.hostname,
        servicePort: port.number,
        address: r.address,
        port: r.port,
        labels: { ...r.labels },
        ...(r.locality ? { locality: r.locality } : {}),
        weight: r.weight,
        health: 'HEALTHY',
        interfaces: [...r.interfaces],
        origin: `node:${r.nodeId}`,
        namespace: r.namespace,
        ...(r.serviceAccount ? { serviceAccount: r.serviceAccount } : {}),
      });
    }
    const interfaces = new Map<string, InterfaceTarget[]>();
    const add = (name: string, s: RegistryService, port: number | undefined) => {
      if (port === undefined) return;
      const list = interfaces.get(name) ?? [];
      if (!list.some((t) => t.hostname === s.hostname && t.port === port)) {
        list.push({ interface: name, hostname: s.hostname, namespace: s.namespace, port });
        interfaces.set(name, list);
      }
    };
    for (const e of endpoints) {
      const s = byHost.get(e.hostname);
      if (s) for (const i of e.interfaces) add(i, s, e.servicePort);
    }
    for (const s of services)
      for (const i of s.interfaces) if (!interfaces.has(i)) add(i, s, s.ports[0]?.number);
    services.sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
    this.#view = { services, byHost, endpoints, interfaces };
    return this.#view;
  }
}

/** Fingerprints a view by host; which hosts differ from `before`. */
function diffHosts(
  view: ConfigView,
  before: ReadonlyMap<string, string>,
): { prints: Map<string, string>; changed: string[] } {
  const parts = new Map<string, unknown[]>();
  const add = (host: string, item: unknown) => {
    const list = parts.get(host);
    if (list) list.push(item);
    else parts.set(host, [item]);
  };
  for (const s of view.services) add(s.hostname, s);
  for (const e of view.endpoints) add(e.hostname, e);
  const prints = new Map([...parts].map(([host, items]) => [host, canonicalJson(items)]));
  const changed = new Set<string>();
  for (const [host, print] of prints) if (before.get(host) !== print) changed.add(host);
  for (const host of before.keys()) if (!prints.has(host)) changed.add(host);
  return { prints, changed: [...changed].sort() };
}
