// Dubbo's ZooKeeper as a discovery source (`shoal cp --registry zookeeper://HOST:PORT`, plugged in
// by zookeeper-backend.ts). It reads what Dubbo writes there, watched: interface-level provider URLs
// (`/dubbo/<iface>/providers/<url>`), application-level instances (`/services/<app>/<ip:port>`) and
// the interface → application mapping (`/dubbo/mapping/<iface>`); Dubbo's rules
// (`/dubbo/config/dubbo/<rule>`) go into the config store. It writes Shoal's own providers as Dubbo
// does: an ephemeral provider URL per interface, plus the mapping, removed when the instance's lease
// ends. The registry merges its view with config and Shoal's registrations.
// A disconnected session keeps what it read; an expired one drops it, and a new session reads
// everything again and writes Shoal's providers again.
// Dubbo: ZookeeperRegistry, ZookeeperServiceDiscovery, ZookeeperMetadataReport (mapping),
// ZookeeperDynamicConfiguration (rules); Istio: external service registries feeding istiod.

import type { BackendLogger } from '../../backends/store-backends.js';
import type { ConfigStore } from '../../config/config-store.js';
import { DEFAULT_DOMAIN_SUFFIX } from '../../config/hostnames.js';
import type { ConfigView } from '../config-services.js';
import type { DiscoverySource } from '../discovery-source.js';
import { diffHosts } from '../host-prints.js';
import type { RegisteredInstance, RegistryEndpoint, RegistryService } from '../registry-types.js';
import {
  endpointOfProviderUrl,
  endpointsOfServiceInstance,
  providerUrlOf,
  SHOAL_NODE_PARAM,
  type ZkEndpoint,
} from './dubbo-instances.js';
import { type DubboUrl, decodeDubbo, encodeDubbo, parseDubboUrl } from './dubbo-url.js';
import { ZooKeeperRules } from './zookeeper-rules.js';
import { type SessionState, ZooKeeperSession } from './zookeeper-session.js';
import { ZooKeeperWatches } from './zookeeper-watches.js';

/** How the source logs: the backends' logger. */
export type ZooKeeperLog = BackendLogger;

export interface ZooKeeperSourceOptions {
  /** `host:port[,host:port...][/chroot]` (the part after `zookeeper://`). */
  connect: string;
  /** Where Dubbo's rules read from ZooKeeper are applied. */
  store?: ConfigStore;
  /** The namespace Dubbo's applications are hosts in (`<app>.<namespace>.svc.<suffix>`). Default `default`. */
  namespace?: string;
  /** Default 10 s. */
  sessionTimeoutMs?: number;
  domainSuffix?: string;
  /** Shoal's release, written as the provider URLs' `release`. */
  release?: string;
  log?: ZooKeeperLog;
}

const RESERVED = new Set(['config', 'mapping', 'metadata']);
export class ZooKeeperSource implements DiscoverySource {
  readonly description: string;
  #version = 0;
  #view: ConfigView = { services: [], endpoints: [] };
  #prints = new Map<string, string>();
  #onChange: ((hostnames: string[]) => void) | undefined;
  readonly #session: ZooKeeperSession;
  readonly #watches: ZooKeeperWatches;
  readonly #rules: ZooKeeperRules | undefined;
  readonly #options: ZooKeeperSourceOptions;
  readonly #log: ZooKeeperLog;
  /** What ZooKeeper holds, as last read. */
  #providers = new Map<string, Map<string, DubboUrl>>();
  #instances = new Map<string, Map<string, string>>();
  #mapping = new Map<string, string[]>();
  /** Shoal's registrations written to ZooKeeper: node id → the paths of its provider URLs. */
  readonly #published = new Map<
    string,
    { registration: RegisteredInstance; paths: string[]; since: number }
  >();
  /** Shoal's registrations removed from ZooKeeper whose URLs may still be in what was read. */
  readonly #departed = new Set<string>();
  #pending: NodeJS.Immediate | undefined;
  #readyResolve: (() => void) | undefined;
  readonly #ready: Promise<void>;
  #closed = false;

  constructor(options: ZooKeeperSourceOptions) {
    this.#options = options;
    this.description = `zookeeper://${options.connect}`;
    this.#log = options.log ?? (() => {});
    this.#ready = new Promise((resolve) => (this.#readyResolve = resolve));
    this.#session = new ZooKeeperSession({
      connect: options.connect,
      ...(options.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: options.sessionTimeoutMs } : {}),
      onState: (state, session) => this.#onState(state, session),
    });
    this.#watches = new ZooKeeperWatches(this.#session, (err, path) =>
      this.#log('warn', 'zookeeper read failed', { path, error: String(err) }),
    );
    this.#rules = options.store ? new ZooKeeperRules(options.store, this.#watches, this.#log) : undefined;
  }

  /**
   * Connects and returns at once: a ZooKeeper not there yet must not keep the control plane from
   * serving. `ready()` says when the first session has read it.
   */
  async start(onChange: (hostnames: string[]) => void): Promise<void> {
    this.#onChange = onChange;
    this.#session.start();
  }

  /** Resolves once the first session has read ZooKeeper (it never rejects; see `connected`). */
  ready(): Promise<void> {
    return this.#ready;
  }

  get connected(): boolean {
    return this.#session.connected;
  }

  get version(): number {
    return this.#version;
  }

  services(): readonly RegistryService[] {
    return this.#view.services;
  }

  endpoints(): readonly RegistryEndpoint[] {
    return this.#view.endpoints;
  }

  /** Writes a registered Shoal instance's providers (again, when it changed) and leaves its URLs out of the view. */
  async publish(registration: RegisteredInstance): Promise<void> {
    await this.#publish(registration);
    this.#schedule(); // its own URLs, read back, are left out
  }

  /** Removes an ended instance's providers from ZooKeeper. */
  unpublish(nodeId: string): Promise<void> {
    return this.#unpublish(nodeId);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pending) clearImmediate(this.#pending);
    // Ephemeral nodes go with the session.
    this.#session.close();
    this.#rules?.close();
  }

  #onState(state: SessionState, session: number): void {
    this.#log(state === 'expired' ? 'warn' : 'info', `zookeeper session ${state}`, {
      connect: this.#options.connect,
    });
    if (state === 'connected') {
      this.#watches.reset();
      this.#providers = new Map();
      this.#instances = new Map();
      this.#mapping = new Map();
      void this.#sync(session, true);
    } else if (state === 'resumed') {
      // Watches and ephemeral nodes survive a resumed session; reads a disconnect cut off start again.
      void this.#sync(session, false);
    } else if (state === 'expired') {
      // What the lost session read may be stale: drop it until a new session reads it again.
      this.#providers = new Map();
      this.#instances = new Map();
      this.#mapping = new Map();
      this.#rules?.reset();
      this.#schedule();
    }
  }

  /** Watches everything Dubbo writes (what is watched already stays so), and writes Shoal's providers. */
  async #sync(session: number, republish: boolean): Promise<void> {
    const reads = [
      this.#watches.children('/dubbo', session, (children) => {
        for (const child of children ?? []) {
          if (RESERVED.has(child)) continue;
          const iface = decodeDubbo(child);
          this.#watches.children(`/dubbo/${child}/providers`, session, (nodes) => {
            const urls = new Map<string, DubboUrl>();
            for (const node of nodes ?? []) {
              const url = parseDubboUrl(decodeDubbo(node));
              if (url) urls.set(node, url);
            }
            if (urls.size === 0) this.#providers.delete(iface);
            else this.#providers.set(iface, urls);
            this.#schedule();
          });
        }
      }),
      this.#watches.children('/dubbo/mapping', session, (children) => {
        const present = new Set(children ?? []);
        for (const iface of [...this.#mapping.keys()]) if (!present.has(iface)) this.#mapping.delete(iface);
        for (const iface of present) {
          this.#watches.data(`/dubbo/mapping/${iface}`, session, (data) => {
            const apps = (data?.toString('utf8') ?? '')
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
            if (apps.length === 0) this.#mapping.delete(iface);
            else this.#mapping.set(iface, apps);
            this.#schedule();
          });
        }
        this.#schedule();
      }),
      this.#watches.children('/services', session, (apps) => {
        for (const app of apps ?? []) {
          this.#watches.children(`/services/${app}`, session, (ids) => {
            const instances = this.#instances.get(app) ?? new Map<string, string>();
            const present = new Set(ids ?? []);
            for (const id of [...instances.keys()]) if (!present.has(id)) instances.delete(id);
            this.#instances.set(app, instances);
            for (const id of present) {
              this.#watches.data(`/services/${app}/${id}`, session, (data) => {
                if (data === undefined) instances.delete(id);
                else instances.set(id, data.toString('utf8'));
                this.#schedule();
              });
            }
            this.#schedule();
          });
        }
      }),
      ...(this.#rules ? [this.#rules.watch(session)] : []),
    ];
    await Promise.allSettled(reads);
    if (republish)
      for (const { registration } of [...this.#published.values()]) await this.#publish(registration);
    this.#schedule();
    this.#readyResolve?.();
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#pending ??= setImmediate(() => {
      this.#pending = undefined;
      if (this.#closed) return;
      this.#view = this.#read();
      const { prints, changed } = diffHosts(this.#view, this.#prints);
      this.#prints = prints;
      if (changed.length === 0) return;
      this.#version++;
      this.#onChange?.(changed);
    });
  }

  /** ZooKeeper's providers and instances as services and endpoints (Shoal's own left out). */
  #read(): ConfigView {
    const namespace = this.#options.namespace ?? 'default';
    const suffix = this.#options.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX;
    const own = new Set([...this.#published.keys(), ...this.#departed]);
    const seen = new Set<string>();
    const byAddress = new Map<string, ZkEndpoint>();
    const add = (ep: ZkEndpoint) => {
      const key = `${ep.hostname}|${ep.address}|${ep.port}`;
      const seen = byAddress.get(key);
      if (!seen) byAddress.set(key, ep);
      else for (const i of ep.interfaces) if (!seen.interfaces.includes(i)) seen.interfaces.push(i);
    };
    for (const urls of this.#providers.values()) {
      for (const url of urls.values()) {
        const node = url.params[SHOAL_NODE_PARAM];
        if (node) seen.add(node);
        if (node && own.has(node)) continue;
        const ep = endpointOfProviderUrl(url, namespace, suffix);
        if ('skipped' in ep)
          this.#log('debug', 'zookeeper provider skipped', {
            url: `${url.protocol}://${url.host}:${url.port}/${url.path}`,
            why: ep.skipped,
          });
        else add(ep);
      }
    }
    for (const node of this.#departed) if (!seen.has(node)) this.#departed.delete(node);
    const appInterfaces = new Map<string, string[]>();
    for (const [iface, apps] of this.#mapping)
      for (const app of apps) appInterfaces.set(app, [...(appInterfaces.get(app) ?? []), iface]);
    for (const [app, instances] of this.#instances)
      for (const json of instances.values())
        for (const ep of endpointsOfServiceInstance(
          app,
          json,
          appInterfaces.get(app) ?? [],
          namespace,
          suffix,
        ))
          add(ep);
    const endpoints = [...byAddress.values()].sort((a, b) =>
      a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0,
    );
    const services = new Map<string, RegistryService>();
    for (const ep of endpoints) {
      let s = services.get(ep.hostname);
      if (!s) {
        s = {
          hostname: ep.hostname,
          namespace,
          ports: [],
          interfaces: [],
          source: 'zookeeper',
          resolution: 'STATIC',
        };
        services.set(ep.hostname, s);
      }
      if (!s.ports.some((p) => p.number === ep.servicePort))
        s.ports.push({
          name: `${ep.labels.protocol ?? 'tri'}-${ep.servicePort}`,
          number: ep.servicePort,
          protocol: 'GRPC',
        });
      for (const i of ep.interfaces) if (!s.interfaces.includes(i)) s.interfaces.push(i);
    }
    return { services: [...services.values()], endpoints: endpoints.map(({ app: _app, ...ep }) => ep) };
  }

  /** Writes a Shoal instance's provider URLs (ephemeral) and its apps in the mapping. */
  async #publish(registration: RegisteredInstance): Promise<void> {
    const release = this.#options.release ?? 'shoal';
    const previous = this.#published.get(registration.nodeId);
    const since = previous?.since ?? Date.now();
    const paths = registration.interfaces.map(
      (iface) =>
        `/dubbo/${encodeDubbo(iface)}/providers/${encodeDubbo(providerUrlOf(registration, iface, release, since))}`,
    );
    this.#published.set(registration.nodeId, { registration, paths, since });
    if (!this.#session.connected) return; // written when the session (re)connects
    try {
      for (const old of previous?.paths ?? []) if (!paths.includes(old)) await this.#session.remove(old);
      for (const path of paths) await this.#session.createEphemeral(path, Buffer.from(registration.address));
      for (const iface of registration.interfaces) await this.#addMapping(iface, registration.app);
    } catch (err) {
      this.#log('warn', 'writing a provider to zookeeper failed', {
        node: registration.nodeId,
        error: String(err),
      });
    }
  }

  async #addMapping(iface: string, app: string): Promise<void> {
    const apps = this.#mapping.get(iface) ?? [];
    if (apps.includes(app)) return;
    await this.#session.put(`/dubbo/mapping/${iface}`, Buffer.from([...apps, app].join(',')));
  }

  async #unpublish(nodeId: string): Promise<void> {
    const published = this.#published.get(nodeId);
    if (!published) return;
    this.#departed.add(nodeId);
    try {
      for (const path of published.paths) await this.#session.remove(path);
    } catch (err) {
      this.#log('warn', 'removing a provider from zookeeper failed', { node: nodeId, error: String(err) });
    }
    // Until its URLs are read as gone, reading them back must not make it a provider.
    if (this.#published.get(nodeId) === published) {
      this.#published.delete(nodeId);
      this.#departed.add(nodeId);
    }
    this.#schedule();
  }
}
