// The Shoal control plane: config store (+ an optional watched config directory) and registry →
// translator → snapshot → snapshot cache → ADS server on @shoal/rpc, plus the admin API. Changes
// from either source are coalesced into one new snapshot, built here and set in the cache;
// self-registering clients hold a registry lease for as long as their ADS stream lives (Istio:
// WorkloadGroup auto-registration).

import { Server } from '@shoal/rpc';
import { createTelemetry, type Telemetry } from '@shoal/telemetry';
import { parseLocality } from '@shoal/xds';
import { AdminServer } from './admin/admin-server.js';
import { ConfigDirectorySource, type DirectoryLoadResult } from './config/config-dir.js';
import { ConfigHistory } from './config/config-history.js';
import { ConfigStore } from './config/config-store.js';
import { LoadReportStore } from './load-stats/load-report-store.js';
import { LrsServer } from './load-stats/lrs-server.js';
import { InMemoryRegistry } from './registry/memory-registry.js';
import { parseNodeRegistration } from './registry/node-registration.js';
import type { RegistrationLease, Registry } from './registry/registry-types.js';
import { ZooKeeperRegistry } from './registry/zookeeper/zookeeper-registry.js';
import { Snapshot } from './snapshot/snapshot.js';
import { SnapshotCache } from './snapshot/snapshot-cache.js';
import { type CitadelMetrics, citadelMetrics } from './telemetry/citadel-metrics.js';
import { PilotMetrics } from './telemetry/pilot-metrics.js';
import type { TrafficSource } from './traffic/traffic-source.js';
import { buildMeshInput } from './translate/mesh-input-builder.js';
import { Translator } from './translate/translator.js';
import { AdsServer } from './xds-server/ads-server.js';
import type { ProxyNode } from './xds-server/proxy-node.js';

/** The level of a log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Receives the control plane's log lines, with structured fields. */
export type ControlPlaneLogger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** Ports, config folder, registry and the other choices of a control plane; every field has a default. */
export interface ControlPlaneOptions {
  /** ADS port (default 15010; 0 picks a free one). */
  xdsPort?: number;
  /** Admin API port (default 15000; 0 picks a free one). */
  adminPort?: number;
  /** Address the ADS server listens on (default 127.0.0.1). */
  host?: string;
  /** Address the admin API listens on (default 127.0.0.1: it has no authentication). */
  adminHost?: string;
  /** A directory of YAML/JSON config files, loaded at start and watched. */
  configDir?: string;
  /** A registry of your own; default an in-memory registry fed by the store. */
  registry?: Registry;
  /** Grace period of the in-memory registry for ended leases (default 10 s). */
  leaseGraceMs?: number;
  /**
   * Dubbo's ZooKeeper (`host:port[,host:port][/chroot]`): its registrations and rules are read
   * and watched, and this control plane's registrations are written there (ZooKeeperRegistry).
   */
  zookeeper?: string;
  /** How long start() waits for the ZooKeeper registry's first read (default 5 s). */
  registryWaitMs?: number;
  /** Structured logs; nothing is printed by default. */
  log?: ControlPlaneLogger;
  /** The web console's built files (packages/console/dist), served on the admin port at `/`. */
  consoleDir?: string;
  /** Where the admin API's traffic picture (`GET /api/traffic`, the console's graph) comes from. */
  traffic?: TrafficSource;
  /** Config versions kept for the history and rollback (default 200). */
  historyLimit?: number;
  /**
   * How often clients report load over LRS (default 2000 ms). The reports are served at
   * `/api/load-reports` and, unless `traffic` says otherwise, are the console's traffic picture.
   */
  loadReportingIntervalMs?: number;
}

/** Where a started control plane listens, and what it loaded. */
export interface ControlPlaneAddresses {
  xds: { host: string; port: number };
  admin: { host: string; port: number };
  /** The first load of the config directory, when one is configured. */
  config?: DirectoryLoadResult;
  /** `connected` once an external registry (ZooKeeper) was read, else `not connected yet`. */
  registry?: string;
}

/**
 * Shoal's control plane in one process: config store, registry, translator, snapshots, ADS server, CA, LRS
 * server and the admin API with the console. `start()` listens, `stop()` closes.
 */
export class ControlPlane {
  readonly store = new ConfigStore();
  /** Every change applied since start, for diffs and rollback. */
  readonly history: ConfigHistory;
  readonly registry: Registry;
  readonly cache = new SnapshotCache();
  readonly ads: AdsServer;
  /** The control plane's metrics (istiod's names, `/metrics` on the admin port). */
  readonly telemetry: Telemetry;
  /** The hooks the CA records citadel_server_* through. */
  readonly citadel: CitadelMetrics;
  /** Load reports (LRS): who calls whom, rate, errors, latency, per endpoint. */
  readonly loadReports = new LoadReportStore();
  readonly #pilot: PilotMetrics;
  readonly #options: ControlPlaneOptions;
  readonly #log: ControlPlaneLogger;
  readonly #rpc: Server;
  readonly #admin: AdminServer;
  readonly #unsubscribe: (() => void)[] = [];
  #configDir: ConfigDirectorySource | undefined;
  #pending: NodeJS.Immediate | undefined;
  #addresses: ControlPlaneAddresses | undefined;
  #started = false;
  /** Only a registry made here is closed on stop; one passed in belongs to the caller. */
  readonly #ownsRegistry: boolean;

  constructor(options: ControlPlaneOptions = {}) {
    this.#options = options;
    this.#log = options.log ?? (() => {});
    this.history = new ConfigHistory(this.store, {
      ...(options.historyLimit !== undefined ? { limit: options.historyLimit } : {}),
    });
    this.#ownsRegistry = options.registry === undefined;
    const graceMs = options.leaseGraceMs !== undefined ? { graceMs: options.leaseGraceMs } : {};
    this.registry =
      options.registry ??
      (options.zookeeper
        ? new ZooKeeperRegistry({
            connect: options.zookeeper,
            store: this.store,
            ...graceMs,
            log: (level, message, fields) => this.#log(level, message, fields),
          })
        : new InMemoryRegistry({ store: this.store, ...graceMs }));
    // istiod's names have no `_total` suffix; the control plane's telemetry keeps them so.
    this.telemetry = createTelemetry({
      env: {},
      counterSuffixes: false,
      node: { id: 'shoal-control-plane' },
    });
    const meter = this.telemetry.meterProvider.getMeter('shoal.control-plane');
    this.#pilot = new PilotMetrics(
      meter,
      () => this.ads,
      () => this.registry,
    );
    this.citadel = citadelMetrics(meter);
    this.ads = new AdsServer({
      cache: this.cache,
      lease: (node, peer) => this.#lease(node, peer),
      metrics: this.#pilot,
    });
    this.#rpc = new Server({
      // A full wildcard CDS or EDS answer for a large mesh is bigger than gRPC's 4 MiB default.
      maxSendMessageBytes: 64 * 1024 * 1024,
      maxReceiveMessageBytes: 16 * 1024 * 1024,
      onError: (err, where) => this.#log('error', `xds server: ${where}`, { error: String(err) }),
    });
    this.ads.register(this.#rpc);
    new LrsServer(this.loadReports, options.loadReportingIntervalMs ?? 2000).register(this.#rpc);
    this.#admin = new AdminServer({
      store: this.store,
      registry: this.registry,
      ads: this.ads,
      history: this.history,
      consoleDir: options.consoleDir,
      traffic: options.traffic ?? this.loadReports,
      xdsAddress: () => {
        const xds = this.#addresses?.xds;
        if (!xds) return undefined;
        const host = xds.host === '0.0.0.0' || xds.host === '::' ? '127.0.0.1' : xds.host;
        return host.includes(':') ? `[${host}]:${xds.port}` : `${host}:${xds.port}`;
      },
      status: () => ({
        ...this.#addresses,
        configDir: this.#options.configDir,
        snapshot: this.cache.version,
      }),
      onError: (err) => this.#log('error', 'admin API request failed', { error: String(err) }),
      observability: {
        metrics: () => this.telemetry.prometheus(),
        loadReports: (window) => this.loadReports.view(window),
      },
    });
  }

  /** Where it listens, once started. */
  get addresses(): ControlPlaneAddresses | undefined {
    return this.#addresses;
  }

  /** Loads the config directory, then listens; resolves with the addresses bound. Prints nothing. */
  async start(): Promise<ControlPlaneAddresses> {
    if (this.#started) throw new Error('control plane already started');
    this.#started = true;
    this.history.start();
    this.#unsubscribe.push(() => this.history.stop());
    this.#unsubscribe.push(
      this.store.subscribe((event) => {
        this.#pilot.configChanged(event);
        this.#schedule();
      }),
    );
    this.#unsubscribe.push(this.registry.subscribe(() => this.#schedule()));
    let config: DirectoryLoadResult | undefined;
    if (this.#options.configDir) {
      this.#configDir = new ConfigDirectorySource(this.store, this.#options.configDir, {
        onReload: (r) =>
          r.ok
            ? this.#log('info', 'config directory reloaded', {
                version: r.version,
                changes: r.changes.length,
              })
            : this.#log('warn', 'config directory rejected', { errors: r.errors }),
      });
      config = await this.#configDir.start();
    }
    let registry: string | undefined;
    if (this.registry instanceof ZooKeeperRegistry) {
      // Serve without ZooKeeper if it is not there yet; its view arrives when it is.
      const waited = await Promise.race([
        this.registry.ready().then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), this.#options.registryWaitMs ?? 5000).unref()),
      ]);
      registry = waited ? 'connected' : 'not connected yet';
      if (!waited)
        this.#log('warn', 'zookeeper not reached yet; serving without it meanwhile', {
          connect: this.#options.zookeeper,
        });
    }
    this.#rebuild();
    const host = this.#options.host ?? '127.0.0.1';
    try {
      const xds = await this.#rpc.listen(this.#options.xdsPort ?? 15010, host);
      const admin = await this.#admin.listen(
        this.#options.adminPort ?? 15000,
        this.#options.adminHost ?? '127.0.0.1',
      );
      this.#addresses = { xds, admin, ...(config ? { config } : {}), ...(registry ? { registry } : {}) };
    } catch (err) {
      await this.stop(0);
      throw err;
    }
    const { xds, admin } = this.#addresses;
    this.#log('info', 'control plane started', { xds, admin });
    return this.#addresses;
  }

  /** Stops listening, ends every ADS stream and releases the registry. */
  async stop(graceMs = 1000): Promise<void> {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    if (this.#pending) clearImmediate(this.#pending);
    this.#pending = undefined;
    this.#configDir?.close();
    this.ads.closeAll();
    await Promise.all([this.#rpc.close(graceMs).catch(() => {}), this.#admin.close()]);
    await this.telemetry.close();
    if (this.#ownsRegistry) await this.registry.close();
    this.#log('info', 'control plane stopped');
  }

  /** Coalesces bursts of store and registry events into one snapshot. */
  #schedule(): void {
    this.#pending ??= setImmediate(() => {
      this.#pending = undefined;
      this.#rebuild();
    });
  }

  #rebuild(): void {
    try {
      const translator = new Translator(buildMeshInput(this.store, this.registry), {
        onFailure: (f) => this.#log('error', 'resource left out: it could not be built', { ...f }),
      });
      const snapshot = new Snapshot(translator, {
        onInconsistency: (i) => this.#log('warn', i.message, { snapshot: snapshot.version }),
      });
      this.cache.setSnapshot(snapshot);
    } catch (err) {
      // A translation bug must not take the control plane down: clients keep the last snapshot.
      this.#log('error', 'building the snapshot failed', { error: String((err as Error)?.stack ?? err) });
    }
  }

  #lease(node: ProxyNode, peer: string): (() => void) | undefined {
    const result = parseNodeRegistration(
      { id: node.id, metadata: node.metadata, locality: parseLocality(node.locality) },
      { peerAddress: peerIp(peer) },
    );
    if (result.errors.length > 0)
      this.#log('warn', 'node registration rejected', { node: node.id, errors: result.errors });
    const registration = result.registration;
    if (!registration) return undefined;
    let ended = false;
    let lease: RegistrationLease | undefined;
    this.registry.register(registration).then(
      (l) => {
        if (ended) l.end();
        else lease = l;
        this.#log('info', 'instance registered', {
          node: node.id,
          host: registration.hostname,
          port: registration.port,
        });
      },
      (err) => this.#log('error', 'registration failed', { node: node.id, error: String(err) }),
    );
    return () => {
      ended = true;
      lease?.end();
    };
  }
}

/** `1.2.3.4:5678`, `::ffff:1.2.3.4:5678` or `[::1]:5678` → the IP. */
function peerIp(peer: string): string {
  const host = peer.startsWith('[') ? peer.slice(1, peer.indexOf(']')) : peer.slice(0, peer.lastIndexOf(':'));
  return host.startsWith('::ffff:') ? host.slice(7) : host;
}
