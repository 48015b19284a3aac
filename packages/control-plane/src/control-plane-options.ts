// What a control plane is started with (ports, config folder, store and registry, CA, admin API),
// every field with a default, and what a started one reports back: where it listens and what it
// loaded.

import type { RegistryBackends } from './backends/registry-backends.js';
import type { StoreBackends } from './backends/store-backends.js';
import type { DirectoryLoadResult } from './config/config-dir.js';
import type { Registry } from './registry/registry-types.js';
import type { TrafficSource } from './traffic/traffic-source.js';

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
  /**
   * Address the admin API listens on (default 127.0.0.1). Any other than loopback needs `adminTls`
   * or `adminInsecure`.
   */
  adminHost?: string;
  /** Serve the admin API over HTTPS with this certificate and key (PEM). */
  adminTls?: { cert: string | Buffer; key: string | Buffer };
  /** Allow a non-loopback admin address without TLS (the token still guards writes). */
  adminInsecure?: boolean;
  /** DNS names the admin API is reached by, besides its address (for the Host check). */
  adminHostNames?: string[];
  /**
   * The admin API's bearer token. Default: `<dataDir>/admin-token`, created on first start, or,
   * without a data dir, a new random token per process (read it from `adminToken`).
   */
  adminToken?: string;
  /**
   * Where state survives restarts (admin token, CA, tokens, and the applied config and
   * registrations with the memory store); without it, state is in memory.
   */
  dataDir?: string;
  /** SPIFFE trust domain of the certificates the CA issues (default `cluster.local`). */
  trustDomain?: string;
  /** Istio plug-in CA files (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem). */
  caDir?: string;
  /** Lifetime of workload certificates unless a request asks for less (default 24 h). */
  workloadCertTtlSeconds?: number;
  /**
   * Refuse every self-registration that does not come over mutual TLS with the workload's own
   * identity. Default: only workloads under PeerAuthentication STRICT must.
   */
  requireRegistrationIdentity?: boolean;
  /** DNS names in the xDS port's certificate besides istiod.istio-system.svc and localhost. */
  xdsServerNames?: string[];
  /** A directory of YAML/JSON config files, loaded at start and watched. */
  configDir?: string;
  /**
   * Where applied config and registrations live: `memory` (default; saved in `dataDir` when there is
   * one) or a shared store such as `etcd://host:2379,host:2379` for replicas.
   */
  store?: string;
  /** Key prefix in a shared store (default `/shoal`). */
  storePrefix?: string;
  /**
   * Where the registry's services, endpoints and registrations come from besides config:
   * `zookeeper://host:port` (Dubbo's ZooKeeper), `etcd://...`, `kubernetes` or `memory`. Default:
   * the store's own (registrations where config is, and Kubernetes' Services with `kubernetes`).
   */
  registryUrl?: string;
  /** With `kubernetes` as store or registry: the kubeconfig file and the namespaces to read (default all). */
  kubernetes?: { kubeconfig?: string; namespaces?: string[] };
  /** The store backends to choose from (default the built-in ones). */
  backends?: StoreBackends;
  /** The registry backends to choose from (default the built-in ones). */
  registryBackends?: RegistryBackends;
  /** A registry of your own; default an in-memory registry fed by the store and the registry backend. */
  registry?: Registry;
  /** Grace period of the in-memory registry for ended leases (default 10 s). */
  leaseGraceMs?: number;
  /** How long start() waits for a registry backend's first read, such as ZooKeeper's (default 5 s). */
  registryWaitMs?: number;
  /** Structured logs; nothing is printed by default. */
  log?: ControlPlaneLogger;
  /** The web console's built files (packages/console/dist), served on the admin port at `/`. */
  consoleDir?: string;
  /** Where the admin API's traffic picture (`GET /api/traffic`, the console's graph) comes from. */
  traffic?: TrafficSource;
  /**
   * A Prometheus that scrapes the mesh (`http://HOST:9090`): the traffic picture is read from
   * Istio's standard metrics there with Kiali's queries (PrometheusTraffic), unless `traffic` is set.
   */
  prometheus?: string;
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
  admin: { host: string; port: number; scheme: 'http' | 'https' };
  /** The first load of the config directory, when one is configured. */
  config?: DirectoryLoadResult;
  /** With a registry that serves without its server (ZooKeeper): `connected` once read, else `not connected yet`. */
  registry?: string;
}
