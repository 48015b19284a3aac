// The Shoal control plane: config store (+ an optional watched config directory) and registry →
// translator → snapshot → snapshot cache → ADS server on @shoal/rpc, plus the admin API. Changes
// from either source are coalesced into one new snapshot, built here and set in the cache;
// self-registering clients hold a registry lease for as long as their ADS stream lives (Istio:
// WorkloadGroup auto-registration; registry/stream-registration.ts). The xDS port's services are
// wired in xds-server/xds-port.ts, the options are in control-plane-options.ts.

import type { Server } from '@shoal/rpc';
import { createTelemetry, type Telemetry } from '@shoal/telemetry';
import { SECRET_TYPE_URL } from '@shoal/xds/plugins';
import { AdminGuard, isLoopback } from './admin/admin-guard.js';
import { AdminServer } from './admin/admin-server.js';
import { securityEndpoints } from './admin/security-endpoints.js';
import { registerRegistryBackends, registerStoreBackends } from './backends/builtin-backends.js';
import type { RegistryBackend } from './backends/registry-backends.js';
import { type StoreBackend, type StoreHealth, schemeOf } from './backends/store-backends.js';
import { CertificateAuthority } from './ca/certificate-authority.js';
import { IssuedCertificates } from './ca/issued-certificates.js';
import { SidecarCertificates } from './ca/sidecar-certificates.js';
import { TokenStore } from './ca/token-store.js';
import { XdsPortTls } from './ca/xds-port-tls.js';
import { ConfigDirectorySource, type DirectoryLoadResult } from './config/config-dir.js';
import { ConfigHistory } from './config/config-history.js';
import type { ConfigStore } from './config/config-store.js';
import type {
  ControlPlaneAddresses,
  ControlPlaneLogger,
  ControlPlaneOptions,
  LogLevel,
} from './control-plane-options.js';
import { ConfiguratorRules } from './dubbo/configurator-rules.js';
import { LoadReportStore } from './load-stats/load-report-store.js';
import { InstanceHealth } from './registry/instance-health.js';
import { InMemoryRegistry } from './registry/memory-registry.js';
import type { Registry } from './registry/registry-types.js';
import { registerStream } from './registry/stream-registration.js';
import { Snapshot } from './snapshot/snapshot.js';
import { SnapshotCache } from './snapshot/snapshot-cache.js';
import { ADMIN_TOKEN_FILE, DataDir, newSecret } from './state/data-dir.js';
import { type CitadelMetrics, citadelMetrics } from './telemetry/citadel-metrics.js';
import { PilotMetrics } from './telemetry/pilot-metrics.js';
import { PrometheusTraffic } from './traffic/prometheus-traffic.js';
import { buildMeshInput } from './translate/mesh-input-builder.js';
import { Translator } from './translate/translator.js';
import { AdsServer } from './xds-server/ads-server.js';
import type { ProxyNode } from './xds-server/proxy-node.js';
import type { StreamCaller, StreamLease } from './xds-server/session-base.js';
import { xdsPortServer } from './xds-server/xds-port.js';

/**
 * Shoal's control plane in one process: config store, registry, translator, snapshots, ADS server, CA, LRS
 * server and the admin API with the console. `start()` listens, `stop()` closes.
 */
export class ControlPlane {
  /** Where applied config lives. */
  readonly store: ConfigStore;
  /** Every change applied since start, for diffs and rollback. */
  readonly history: ConfigHistory;
  /** The registry as clients see it: the backend's, with instances disabled by hand UNHEALTHY. */
  readonly registry: Registry;
  /** The store backend: config, registrations and, with replicas, the store's health and the leader. */
  readonly backend: StoreBackend;
  /** Where the registry's registrations and sources come from (by default the store backend's own). */
  readonly registryBackend: RegistryBackend;
  /** Instances taken out of service, by hand (`shoal instance disable`) or by a rule (Dubbo's configurators). */
  readonly instances: InstanceHealth;
  /** The registry under InstanceHealth: the registry backend's registrations and sources, or the one given. */
  private readonly baseRegistry: Registry;
  readonly cache = new SnapshotCache();
  readonly ads: AdsServer;
  /** The control plane's metrics (istiod's names, `/metrics` on the admin port). */
  readonly telemetry: Telemetry;
  /** The hooks the CA records citadel_server_* through. */
  readonly citadel: CitadelMetrics;
  /** Load reports (LRS): who calls whom, rate, errors, latency, per endpoint. */
  readonly loadReports = new LoadReportStore();
  private readonly pilot: PilotMetrics;
  private readonly options: ControlPlaneOptions;
  private readonly log: ControlPlaneLogger;
  private readonly rpc: Server;
  private readonly admin: AdminServer;
  private readonly dataDir: DataDir | undefined;
  /** The admin API's bearer token. */
  readonly adminToken: string;
  /** Tokens workloads prove their identity with to the CA. */
  readonly tokens: TokenStore;
  /** The newest certificate the CA issued per client. */
  readonly issued = new IssuedCertificates();
  /** Envoy sidecars' workload certificates, served to them by SDS. */
  private readonly sidecarCertificates: SidecarCertificates;
  private caValue: CertificateAuthority | undefined;
  /** The xDS port's TLS (its certificate from the CA): plaintext and TLS, client certificates asked for. */
  private xdsTls: XdsPortTls | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private configDir: ConfigDirectorySource | undefined;
  private pending: NodeJS.Immediate | undefined;
  private addressesValue: ControlPlaneAddresses | undefined;
  private started = false;
  /** Only a registry made here is closed on stop; one passed in belongs to the caller. */
  private readonly ownsRegistry: boolean;

  constructor(options: ControlPlaneOptions = {}) {
    this.options = options;
    this.log = options.log ?? (() => {});
    this.dataDir = options.dataDir === undefined ? undefined : new DataDir(options.dataDir).ensure();
    this.adminToken =
      options.adminToken ??
      this.dataDir?.readOrCreate(ADMIN_TOKEN_FILE, () => `${newSecret()}\n`).trim() ??
      newSecret();
    this.tokens = new TokenStore(this.dataDir);
    const dataDir = this.dataDir;
    const stores = options.backends ?? registerStoreBackends();
    const context = {
      ...(options.storePrefix !== undefined && { prefix: options.storePrefix }),
      ...(options.kubernetes && { kubernetes: options.kubernetes }),
      ...(dataDir && { dataDir }),
      ...(options.leaseGraceMs !== undefined && { graceMs: options.leaseGraceMs }),
      log: (level: LogLevel, message: string, fields?: Record<string, unknown>) =>
        this.log(level, message, fields),
    };
    const storeUrl = options.store || 'memory';
    this.backend = stores.create(storeUrl, context);
    this.registryBackend = (options.registryBackends ?? registerRegistryBackends()).create(
      options.registryUrl,
      { ...context, storeUrl, storeBackend: this.backend, createStore: (url) => stores.create(url, context) },
    );
    this.store = this.backend.config;
    this.history = new ConfigHistory(this.store, {
      ...(options.historyLimit !== undefined ? { limit: options.historyLimit } : {}),
    });
    this.ownsRegistry = options.registry === undefined;
    const { registrations, sources } = this.registryBackend;
    this.baseRegistry =
      options.registry ??
      new InMemoryRegistry({ store: this.store, registrations, ...(sources && { sources }) });
    // Dubbo's configurators (disabled: true) take instances out as `shoal instance disable` does.
    this.instances = new InstanceHealth(this.baseRegistry, { rules: new ConfiguratorRules(this.store) });
    this.registry = this.instances;
    // istiod's names have no `_total` suffix; the control plane's telemetry keeps them so.
    this.telemetry = createTelemetry({
      env: {},
      counterSuffixes: false,
      node: { id: 'shoal-control-plane' },
    });
    const meter = this.telemetry.meterProvider.getMeter('shoal.control-plane');
    this.pilot = new PilotMetrics(
      meter,
      () => this.ads,
      () => this.registry,
    );
    this.citadel = citadelMetrics(meter);
    this.ads = new AdsServer({
      cache: this.cache,
      lease: (node, caller) => this.onStream(node, caller),
      metrics: this.pilot,
    });
    this.rpc = xdsPortServer({
      ads: this.ads,
      ca: () => this.caValue,
      tls: () => this.xdsTls?.policy,
      tokens: this.tokens,
      issued: this.issued,
      citadel: this.citadel,
      loadReports: this.loadReports,
      loadReportingIntervalMs: options.loadReportingIntervalMs ?? 2000,
      log: this.log,
    });
    this.sidecarCertificates = new SidecarCertificates({
      ca: () => this.caValue,
      tokens: this.tokens,
      issued: this.issued,
      onChange: (nodeId) => this.ads.resourcesChanged(nodeId, SECRET_TYPE_URL),
      log: (level, message, fields) => this.log(level, message, fields),
    });
    this.admin = new AdminServer({
      store: this.store,
      registry: this.registry,
      instances: this.instances,
      ads: this.ads,
      routes: securityEndpoints({
        tokens: this.tokens,
        issued: this.issued,
        ca: () => this.caValue,
        ads: this.ads,
      }),
      guard: new AdminGuard({
        token: this.adminToken,
        ...(options.adminHostNames && { hostNames: options.adminHostNames }),
      }),
      ...(options.adminTls && { tls: options.adminTls }),
      ca: () => this.caValue,
      history: this.history,
      consoleDir: options.consoleDir,
      traffic:
        options.traffic ??
        (options.prometheus ? new PrometheusTraffic({ url: options.prometheus }) : this.loadReports),
      xdsAddress: () => {
        const xds = this.addressesValue?.xds;
        if (!xds) return undefined;
        const host = xds.host === '0.0.0.0' || xds.host === '::' ? '127.0.0.1' : xds.host;
        return host.includes(':') ? `[${host}]:${xds.port}` : `${host}:${xds.port}`;
      },
      status: () => ({
        ...this.addressesValue,
        configDir: this.options.configDir,
        dataDir: this.dataDir?.path,
        store: this.store.description,
        registrations: this.registryBackend.registrations.description,
        ...(this.leadership && {
          replica: {
            id: this.leadership.id,
            leader: this.leadership.isLeader,
            current: this.healths.every((h) => h.current),
          },
        }),
        snapshot: this.cache.version,
      }),
      onError: (err) => this.log('error', 'admin API request failed', { error: String(err) }),
      observability: {
        metrics: () => this.telemetry.prometheus(),
        loadReports: (window) => this.loadReports.view(window),
      },
    });
  }

  /** The elected leader among replicas, of the store or else of the registry. */
  private get leadership() {
    return this.backend.leadership ?? this.registryBackend.leadership;
  }

  /** Whether the shared state this replica serves from is current (the store's and the registry's). */
  private get healths(): StoreHealth[] {
    const healths = [this.backend.health, this.registryBackend.health];
    return [...new Set(healths.filter((h): h is StoreHealth => h !== undefined))];
  }

  /** Where it listens, once started. */
  get addresses(): ControlPlaneAddresses | undefined {
    return this.addressesValue;
  }

  /** Loads the config directory, then listens; resolves with the addresses bound. Prints nothing. */
  async start(): Promise<ControlPlaneAddresses> {
    if (this.started) throw new Error('control plane already started');
    const adminHost = this.options.adminHost ?? '127.0.0.1';
    if (!isLoopback(adminHost) && !this.options.adminTls && !this.options.adminInsecure)
      throw new Error(
        `the admin API would listen on ${adminHost} without TLS: give it a certificate (--admin-tls-cert/--admin-tls-key), or pass --admin-insecure to accept plaintext (writes still need the admin token)`,
      );
    this.started = true;
    try {
      await this.backend.start();
      if (this.backend.shared) {
        const unused = await this.tokens.share(this.backend.shared);
        if (unused > 0)
          this.log(
            'warn',
            `the ${unused} tokens in the data dir are not used: replicas share theirs in the store`,
            {
              store: this.backend.shared.description,
            },
          );
      }
      await this.registryBackend.start();
      await this.store.start();
      await this.registry.start();
    } catch (err) {
      await this.stop(0);
      throw err;
    }
    this.caValue = await CertificateAuthority.create({
      ...(this.options.trustDomain && { trustDomain: this.options.trustDomain }),
      ...(this.dataDir && { dataDir: this.dataDir }),
      ...(this.backend.shared && { shared: this.backend.shared }),
      ...(this.options.caDir && { caDir: this.options.caDir }),
      ...(this.options.workloadCertTtlSeconds && {
        workloadTtlSeconds: this.options.workloadCertTtlSeconds,
      }),
    });
    this.citadel.expiries(
      this.caValue.root.notAfter.getTime() / 1000,
      this.caValue.signing.notAfter.getTime() / 1000,
    );
    this.history.start();
    this.unsubscribe.push(() => this.history.stop());
    for (const health of this.healths) {
      this.unsubscribe.push(
        health.onChange(() => {
          if (this.healths.every((h) => h.current)) {
            this.rebuild();
            this.ads.resume();
            this.log('info', 'store reachable and resynced: serving again');
          } else {
            this.ads.refuse(
              `this control plane lost its store (${this.store.description}); use another replica`,
            );
            this.log('warn', 'store unreachable: ADS streams ended and refused until it is back');
          }
        }),
      );
    }
    this.unsubscribe.push(
      this.store.subscribe((event) => {
        this.pilot.configChanged(event);
        this.schedule();
      }),
    );
    this.unsubscribe.push(this.registry.subscribe(() => this.schedule()));
    let config: DirectoryLoadResult | undefined;
    if (this.options.configDir) {
      this.configDir = new ConfigDirectorySource(this.store, this.options.configDir, {
        onReload: (r) =>
          r.ok
            ? this.log('info', 'config directory reloaded', {
                version: r.version,
                changes: r.changes.length,
              })
            : this.log('warn', 'config directory rejected', { errors: r.errors }),
      });
      config = await this.configDir.start();
    }
    const registry = await this.waitForRegistry();
    this.rebuild();
    const host = this.options.host ?? '127.0.0.1';
    this.xdsTls = new XdsPortTls(this.caValue, host, this.options.xdsServerNames ?? [], (err) =>
      this.log('error', 'the xDS port has no TLS certificate (plaintext only)', { error: String(err) }),
    );
    await this.xdsTls.start();
    try {
      const xds = await this.rpc.listen(this.options.xdsPort ?? 15010, host);
      const admin = await this.admin.listen(this.options.adminPort ?? 15000, adminHost);
      this.addressesValue = {
        xds,
        admin: { ...admin, scheme: this.admin.scheme },
        ...(config ? { config } : {}),
        ...(registry ? { registry } : {}),
      };
    } catch (err) {
      await this.stop(0);
      throw err;
    }
    const { xds, admin } = this.addressesValue;
    this.log('info', 'control plane started', {
      xds,
      admin,
      store: this.store.description,
      ca: `${this.caValue.source}, trust domain ${this.caValue.trustDomain}`,
      ...(this.dataDir && { dataDir: this.dataDir.path }),
    });
    return this.addressesValue;
  }

  /** The CA, once started. */
  get ca(): CertificateAuthority | undefined {
    return this.caValue;
  }

  /** Stops listening, ends every ADS stream and releases the registry. */
  async stop(graceMs = 1000): Promise<void> {
    this.xdsTls?.stop();
    this.sidecarCertificates.close();
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
    this.configDir?.close();
    this.ads.closeAll();
    await Promise.all([this.rpc.close(graceMs).catch(() => {}), this.admin.close()]);
    await this.telemetry.close();
    await this.tokens.close();
    await this.instances.close();
    if (this.ownsRegistry) await this.baseRegistry.close();
    await this.store.close();
    await this.registryBackend.close();
    await this.backend.close();
    this.log('info', 'control plane stopped');
  }

  /** Waits a little for a registry that serves without its server (ZooKeeper); says whether it came. */
  private async waitForRegistry(): Promise<string | undefined> {
    const ready = this.registryBackend.ready?.();
    if (!ready) return undefined;
    const waited = await Promise.race([
      ready.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), this.options.registryWaitMs ?? 5000).unref()),
    ]);
    if (!waited)
      this.log(
        'warn',
        `${schemeOf(this.options.registryUrl ?? '')} not reached yet; serving without it meanwhile`,
        {
          registry: this.options.registryUrl,
        },
      );
    return waited ? 'connected' : 'not connected yet';
  }

  /** Coalesces bursts of store and registry events into one snapshot. */
  private schedule(): void {
    this.pending ??= setImmediate(() => {
      this.pending = undefined;
      this.rebuild();
    });
  }

  private rebuild(): void {
    try {
      const translator = new Translator(
        buildMeshInput(this.store, this.registry, this.caValue?.trustDomain),
        {
          onFailure: (f) => this.log('error', 'resource left out: it could not be built', { ...f }),
          sidecar: { certificates: (node) => this.sidecarCertificates.get(node.id) },
        },
      );
      const snapshot = new Snapshot(translator, {
        onInconsistency: (i) => this.log('warn', i.message, { snapshot: snapshot.version }),
      });
      this.cache.setSnapshot(snapshot);
    } catch (err) {
      // A translation bug must not take the control plane down: clients keep the last snapshot.
      this.log('error', 'building the snapshot failed', { error: String((err as Error)?.stack ?? err) });
    }
  }

  /** A client's stream started: a sidecar's certificate, and a self-registration's lease. */
  private onStream(node: ProxyNode, caller: StreamCaller): StreamLease | undefined {
    // An SDS stream comes beside the node's ADS stream: the registration is the ADS stream's.
    const lease = caller.secretsOnly
      ? undefined
      : registerStream(
          {
            store: this.store,
            registry: this.registry,
            trustDomain: () => this.caValue?.trustDomain,
            requireIdentity: this.options.requireRegistrationIdentity === true,
            log: this.log,
          },
          node,
          caller.peer,
          caller.peerCertificate,
        );
    if (node.kind !== 'sidecar') return lease && { release: lease };
    const certificate = this.sidecarCertificates.attach(node, caller);
    return {
      release: () => {
        certificate.release();
        lease?.();
      },
      secrets: certificate.proven,
    };
  }
}
