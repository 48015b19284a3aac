// The registry's view, held in memory: services and endpoints from config (ServiceEntry,
// WorkloadEntry, Kubernetes Service) plus self-registered instances, which live in a
// RegistrationStore (this process's memory by default, etcd leases with replicas).
// Istio: WorkloadGroup auto-registration (the connection is the lease, cleanup after a grace period).

import type { AnyConfigObject } from '../config/config-object.js';
import type { ConfigStore } from '../config/config-store.js';
import { DEFAULT_DOMAIN_SUFFIX } from '../config/hostnames.js';
import { type ConfigView, SERVICE_KINDS, servicesFromConfig } from './config-services.js';
import type { DiscoverySource } from './discovery-source.js';
import { diffHosts } from './host-prints.js';
import { MemoryRegistrations } from './memory-registrations.js';
import type { RegistrationChange, RegistrationStore } from './registration-store.js';
import type {
  InterfaceTarget,
  LeaseState,
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
  /** How long an instance whose lease ended stays registered (default registrations only). Default 10 s. */
  graceMs?: number;
  /** Where registrations live; default this process's memory. */
  registrations?: RegistrationStore;
  /** More services and endpoints (Kubernetes, ...); config-defined services of the same host win. */
  sources?: readonly DiscoverySource[];
  domainSuffix?: string;
  onListenerError?: (err: unknown) => void;
}

interface View {
  services: RegistryService[];
  byHost: Map<string, RegistryService>;
  endpoints: RegistryEndpoint[];
  interfaces: Map<string, InterfaceTarget[]>;
}

export class InMemoryRegistry implements Registry {
  private readonly domainSuffix: string;
  private readonly listeners = new Set<RegistryListener>();
  private readonly registrationsValue: RegistrationStore;
  private readonly sources: readonly DiscoverySource[];
  private readonly onListenerError: (err: unknown) => void;
  private config: ConfigView = { services: [], endpoints: [] };
  /** The store's version when the view last followed it, or the count of syncConfig changes. */
  private configVersion = 0;
  /** Per host, a fingerprint of what config defines for it, to tell which hosts a config change touched. */
  private configPrints = new Map<string, string>();
  private view: View | undefined;
  private unsubscribe: (() => void) | undefined;
  private followStore: (() => void) | undefined;
  private started: Promise<void> | undefined;
  private closed = false;

  constructor(options: InMemoryRegistryOptions = {}) {
    this.registrationsValue =
      options.registrations ??
      new MemoryRegistrations(options.graceMs !== undefined ? { graceMs: options.graceMs } : {});
    this.sources = options.sources ?? [];
    this.domainSuffix = options.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX;
    this.onListenerError =
      options.onListenerError ?? ((err) => process.emitWarning(`registry listener failed: ${String(err)}`));
    const store = options.store;
    if (store) {
      this.followStore = () => {
        const hostnames = this.setConfig(store.list());
        this.configVersion = store.version;
        if (hostnames.length > 0) this.changed({ reason: 'config', hostnames });
      };
      this.setConfig(store.list());
      this.configVersion = store.version;
      // A change of routing rules alone (a VirtualService's weight) leaves the services as they
      // were: rebuilding them from every object is the most a push to thousands of clients costs.
      this.unsubscribe = store.subscribe((event) => {
        if (event.changes.length === 0 || event.changes.some((c) => SERVICE_KINDS.has(c.kind)))
          this.followStore?.();
        else this.configVersion = store.version;
      });
    }
  }

  /**
   * The sum of the versions of what the view is made of (config, registrations), so it is the same
   * after a restart and on every replica that has seen the same changes.
   */
  get version(): number {
    let version = this.configVersion + this.registrationsValue.version;
    for (const source of this.sources) version += source.version;
    return version;
  }

  /** Loads the registrations and follows their changes; the first call starts, later ones wait for it. */
  start(): Promise<void> {
    // A store that loads on start (etcd) fills itself without events: take what it holds now.
    this.followStore?.();
    this.started ??= Promise.all([
      this.registrationsValue.start((change) => this.registrationChanged(change)),
      ...this.sources.map((source) =>
        source.start((hostnames) => {
          if (!this.closed) this.changed({ reason: 'source', hostnames });
        }),
      ),
    ]).then(() => undefined);
    return this.started;
  }

  /** Replaces the config-defined part (for callers without a store, e.g. offline validation). */
  syncConfig(objects: readonly AnyConfigObject[]): void {
    const hostnames = this.setConfig(objects);
    if (hostnames.length === 0) return;
    this.configVersion++;
    this.changed({ reason: 'config', hostnames });
  }

  /** Installs a new config view; returns the hosts whose services or endpoints differ. */
  private setConfig(objects: readonly AnyConfigObject[]): string[] {
    this.config = servicesFromConfig(objects, this.domainSuffix);
    const { prints, changed } = diffHosts(this.config, this.configPrints);
    this.configPrints = prints;
    return changed;
  }

  services(): readonly RegistryService[] {
    return this.current().services;
  }

  service(hostname: string): RegistryService | undefined {
    return this.current().byHost.get(hostname.toLowerCase());
  }

  endpoints(hostname?: string, servicePort?: number): readonly RegistryEndpoint[] {
    const all = this.current().endpoints;
    if (hostname === undefined) return all;
    const host = hostname.toLowerCase();
    return all.filter(
      (e) => e.hostname === host && (servicePort === undefined || e.servicePort === servicePort),
    );
  }

  resolveInterface(name: string): InterfaceTarget[] {
    return this.current().interfaces.get(name) ?? [];
  }

  interfaces(): string[] {
    return [...this.current().interfaces.keys()].sort();
  }

  /** The live registrations (including those in their grace period). */
  registrations(): readonly RegisteredInstance[] {
    return this.registrationsValue.registrations();
  }

  leases(): LeaseState[] {
    return this.registrationsValue.leases?.() ?? [];
  }

  async register(registration: RegisteredInstance): Promise<RegistrationLease> {
    if (this.closed) throw new Error('registry is closed');
    await this.start();
    return this.registrationsValue.register(registration);
  }

  subscribe(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.registrationsValue.close();
    await Promise.all(this.sources.map((s) => s.close()));
    this.listeners.clear();
  }

  private registrationChanged(change: RegistrationChange): void {
    if (!this.closed) this.changed(change);
  }

  private changed(event: Omit<RegistryEvent, 'version'>): void {
    this.view = undefined;
    const full: RegistryEvent = { version: this.version, ...event };
    for (const listener of [...this.listeners]) {
      try {
        listener(full);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  /** Config-defined services and endpoints merged with the registered instances, built lazily. */
  private current(): View {
    if (this.view) return this.view;
    const byHost = new Map<string, RegistryService>();
    const services: RegistryService[] = [];
    const sourced = [this.config.services, ...this.sources.map((source) => source.services())];
    for (const s of sourced.flat()) {
      if (byHost.has(s.hostname)) continue; // first definition wins, as in istiod
      const copy = { ...s, ports: [...s.ports], interfaces: [...s.interfaces] };
      byHost.set(s.hostname, copy);
      services.push(copy);
    }
    const endpoints = [...this.config.endpoints, ...this.sources.flatMap((s) => s.endpoints())];
    for (const r of this.registrationsValue.registrations()) {
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
        health: r.draining ? 'DRAINING' : 'HEALTHY',
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
    this.view = { services, byHost, endpoints, interfaces };
    return this.view;
  }
}
