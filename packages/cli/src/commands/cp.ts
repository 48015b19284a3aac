// `shoal cp`: runs Shoal's control plane (ADS on --xds-port, admin API on --admin-port) with an
// optional watched config directory, until SIGINT/SIGTERM. Applied config and registrations live in
// --store: in this process and saved in --data-dir by default, or in etcd shared by replicas.
// --registry adds where services come from (Dubbo's ZooKeeper, Kubernetes) or keeps registrations
// elsewhere (etcd); by default it is the store's own.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ControlPlane, ControlPlaneLogger, LogLevel } from '@shoal/control-plane';
import { formatIssue } from '@shoal/control-plane/admin-api';
import type { TrafficSource } from '@shoal/control-plane/plugins';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../cli-error.js';
import { parseDuration } from '../duration.js';

const levels: LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Structured log lines: `time level message key=value …`, or one JSON object per line. */
export function createLogger(
  minLevel: LogLevel,
  json: boolean,
  write: (line: string) => void,
): ControlPlaneLogger {
  const min = levels.indexOf(minLevel);
  return (level, message, fields = {}) => {
    if (levels.indexOf(level) < min) return;
    const time = new Date().toISOString();
    if (json) {
      write(JSON.stringify({ time, level, msg: message, ...fields }));
      return;
    }
    const rest = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    write(`${time} ${level.padEnd(5)} ${message}${rest ? ` ${rest}` : ''}`);
  };
}

/** A port flag's value (0: pick a free port). */
export function parsePort(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`${flag} must be a port number, got "${value}"`, ExitCode.usage);
  return n;
}

export interface CpFlags {
  xdsPort: string;
  adminPort: string;
  host: string;
  adminHost?: string;
  adminTlsCert?: string;
  adminTlsKey?: string;
  adminInsecure?: boolean;
  adminHostName?: string;
  dataDir?: string;
  trustDomain?: string;
  caDir?: string;
  workloadCertTtl?: string;
  requireRegistrationMtls?: boolean;
  xdsServerName?: string;
  config?: string;
  registry?: string;
  prometheus?: string;
  logLevel: string;
  logFormat: string;
  store?: string;
  storePrefix?: string;
  /** `--kubernetes`: config and services from a Kubernetes API server. */
  kubernetes?: boolean;
  kubeconfig?: string;
  namespace?: string[];
}

/** `--prometheus URL`: an http(s) URL, else a usage error. */
export function prometheusUrl(url: string, flag = '--prometheus'): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {}
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    throw new CliError(
      `${flag} ${JSON.stringify(url)}: expected Prometheus's URL, http://HOST:PORT`,
      ExitCode.usage,
    );
  return url;
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new CliError(`${flag}: cannot read ${file}: ${(err as Error).message}`, ExitCode.usage);
  }
}

/** --admin-tls-cert and --admin-tls-key, which go together. */
function adminTls(flags: CpFlags): { cert: Buffer; key: Buffer } | undefined {
  if (flags.adminTlsCert === undefined && flags.adminTlsKey === undefined) return undefined;
  if (flags.adminTlsCert === undefined || flags.adminTlsKey === undefined)
    throw new CliError('--admin-tls-cert and --admin-tls-key go together', ExitCode.usage);
  return {
    cert: readPem(flags.adminTlsCert, '--admin-tls-cert'),
    key: readPem(flags.adminTlsKey, '--admin-tls-key'),
  };
}

const names = (list: string) => list.split(',').map((n) => n.trim());

/**
 * The web console's built files (@shoal/console's dist/), found as a package beside the CLI. The
 * control plane serves them; nothing imports the console's code.
 */
export function consoleDir(): string | undefined {
  try {
    const dir = join(dirname(createRequire(import.meta.url).resolve('@shoal/console/package.json')), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a control plane and prints where it listens (the console's URL first); for `shoal cp` and `shoal demo`. */
export async function startControlPlane(
  flags: CpFlags,
  write: (line: string) => void,
  extra: { traffic?: TrafficSource } = {},
): Promise<ControlPlane> {
  if (!levels.includes(flags.logLevel as LogLevel)) {
    throw new CliError(`--log-level must be one of ${levels.join(', ')}`, ExitCode.usage);
  }
  const { ControlPlane, resolveDataDir } = await import('@shoal/control-plane');
  const tls = adminTls(flags);
  const dataDir = resolveDataDir(flags.dataDir);
  const ui = consoleDir();
  // Lines logged while starting wait, so that the console's URL is the first thing printed.
  const held: string[] = [];
  let holding = true;
  const log = (line: string) => (holding ? held.push(line) : write(line));
  if (flags.kubernetes && flags.store !== undefined && flags.store !== 'kubernetes')
    throw new CliError(
      `--kubernetes and --store ${flags.store} do not go together: choose one store`,
      ExitCode.usage,
    );
  const store = flags.kubernetes ? 'kubernetes' : flags.store;
  const kubernetes = store === 'kubernetes' || flags.registry === 'kubernetes';
  if (!kubernetes && (flags.kubeconfig !== undefined || flags.namespace !== undefined))
    throw new CliError(
      '--kubeconfig and --namespace need --kubernetes (or --registry kubernetes)',
      ExitCode.usage,
    );
  const xdsPort = parsePort(flags.xdsPort, '--xds-port');
  const adminPort = parsePort(flags.adminPort, '--admin-port');
  let cp: ControlPlane;
  try {
    // Fails on a bad --store or an unreadable --data-dir before anything listens.
    cp = new ControlPlane({
      xdsPort,
      adminPort,
      host: flags.host,
      adminHost: flags.adminHost ?? '127.0.0.1',
      ...(tls && { adminTls: tls }),
      ...(flags.adminInsecure && { adminInsecure: true }),
      ...(flags.adminHostName && { adminHostNames: names(flags.adminHostName) }),
      dataDir,
      ...(flags.trustDomain && { trustDomain: flags.trustDomain }),
      ...(flags.caDir && { caDir: flags.caDir }),
      ...(flags.workloadCertTtl && {
        workloadCertTtlSeconds: parseDuration(flags.workloadCertTtl, '--workload-cert-ttl') / 1000,
      }),
      ...(flags.requireRegistrationMtls && { requireRegistrationIdentity: true }),
      ...(flags.xdsServerName && { xdsServerNames: names(flags.xdsServerName) }),
      configDir: flags.config,
      ...(store !== undefined && { store }),
      ...(flags.registry !== undefined && { registryUrl: flags.registry }),
      ...(kubernetes && {
        kubernetes: {
          ...(flags.kubeconfig !== undefined && { kubeconfig: flags.kubeconfig }),
          ...(flags.namespace !== undefined && { namespaces: flags.namespace }),
        },
      }),
      ...(flags.storePrefix !== undefined && { storePrefix: flags.storePrefix }),
      ...(flags.prometheus !== undefined && { prometheus: prometheusUrl(flags.prometheus) }),
      log: createLogger(flags.logLevel as LogLevel, flags.logFormat === 'json', log),
      ...(ui ? { consoleDir: ui } : {}),
      ...extra,
    });
  } catch (err) {
    throw new CliError(`the control plane cannot start: ${(err as Error).message}`, ExitCode.usage);
  }
  let addresses: Awaited<ReturnType<ControlPlane['start']>>;
  try {
    addresses = await cp.start();
  } catch (err) {
    for (const line of held.splice(0)) write(line);
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      `the control plane cannot start: ${(err as Error).message}`,
      ExitCode.failure,
      code === 'EADDRINUSE'
        ? 'another control plane may be running; stop it or pass --xds-port/--admin-port'
        : undefined,
    );
  }
  const a = addresses.admin;
  const admin = `${a.scheme}://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
  // The console takes the admin token from the URL's fragment (never sent to the server).
  write(`shoal console: ${admin}/${ui ? `#token=${cp.adminToken}` : ' (not built: run npm run build)'}`);
  holding = false;
  for (const line of held.splice(0)) write(line);
  write(
    `shoal control plane: xDS (ADS) on ${addresses.xds.host}:${addresses.xds.port}, admin API on ${admin}`,
  );
  write(`data dir ${dataDir} (admin token in ${dataDir}/admin-token)`);
  if (cp.ca) write(`CA: ${cp.ca.source}, trust domain ${cp.ca.trustDomain}`);
  write(`store: ${cp.store.description}; registrations: ${cp.registryBackend.registrations.description}`);
  const loaded = addresses.config;
  if (loaded) {
    write(
      `config ${flags.config}: ${loaded.files.length} file(s), ${loaded.changes.length} object(s), version ${loaded.version}${loaded.ok ? '' : ' (INVALID: not applied)'}`,
    );
    for (const e of loaded.errors) write(`  error: ${formatIssue(e)}`);
    for (const w of loaded.warnings) write(`  warning: ${formatIssue(w)}`);
  }
  if (flags.registry) write(`registry ${flags.registry}: ${addresses.registry ?? 'connecting'}`);
  if (flags.prometheus)
    write(`traffic graph: read from Prometheus at ${flags.prometheus} (Istio's standard metrics)`);
  return cp;
}

export function registerCp(program: Command): void {
  program
    .command('cp')
    .description("run Shoal's control plane: Envoy v3 xDS from Istio config and a registry")
    .option('--xds-port <port>', 'ADS (gRPC) port', '15010')
    .option('--admin-port <port>', 'admin API (HTTP JSON) port', '15000')
    .option('--host <host>', 'address the xDS port listens on', '127.0.0.1')
    .option(
      '--data-dir <dir>',
      'state that survives restarts: admin token, CA, tokens, applied config and registrations (default $SHOAL_DATA_DIR or ./.shoal)',
    )
    .option(
      '--admin-host <host>',
      'address the admin API listens on (not loopback: needs TLS or --admin-insecure)',
      '127.0.0.1',
    )
    .option('--admin-tls-cert <file>', 'serve the admin API over HTTPS with this certificate (PEM)')
    .option('--admin-tls-key <file>', 'the private key of --admin-tls-cert (PEM)')
    .option(
      '--admin-insecure',
      'allow a non-loopback --admin-host without TLS (writes still need the admin token)',
    )
    .option(
      '--admin-host-name <names>',
      'DNS names the admin API is reached by, comma-separated (Host check)',
    )
    .option('--config <dir>', 'a folder of Istio YAML/JSON (and Dubbo rules), loaded and watched')
    .option(
      '--registry <url>',
      "where services and registrations come from besides config (default: the store's own): Dubbo's ZooKeeper (zookeeper://HOST:PORT; its providers, instances, mapping and rules are read and watched, Shoal's providers written there), etcd://HOST:PORT[,...] (registrations under etcd leases), kubernetes (Services, EndpointSlices, Pods) or memory",
    )
    .option(
      '--prometheus <url>',
      "read the console's traffic graph from this Prometheus (Istio's standard metrics, Kiali's queries) instead of the load reports",
    )
    .option('--trust-domain <domain>', 'SPIFFE trust domain of workload certificates', 'cluster.local')
    .option(
      '--ca-dir <dir>',
      "Istio plug-in CA files (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem) instead of the data dir's root",
    )
    .option('--workload-cert-ttl <duration>', 'lifetime of workload certificates', '24h')
    .option(
      '--require-registration-mtls',
      'accept self-registrations only over mutual TLS from the identity they register',
    )
    .option('--xds-server-name <names>', "DNS names in the xDS port's TLS certificate, comma-separated")
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--log-format <format>', 'text or json', 'text')
    .option(
      '--store <url>',
      'memory (default, saved in --data-dir), or etcd://HOST:PORT[,HOST:PORT...] shared by replicas',
    )
    .option('--store-prefix <prefix>', 'key prefix in a shared store', '/shoal')
    .option(
      '--kubernetes',
      'read Istio CRDs, HTTPRoutes (GAMMA), Services, EndpointSlices and Pods from a Kubernetes API server; shoal apply writes CRDs there',
    )
    .option(
      '--kubeconfig <file>',
      'with --kubernetes: the kubeconfig (default: in-cluster, $KUBECONFIG or ~/.kube/config)',
    )
    .option('--namespace <ns...>', 'with --kubernetes: the namespaces to read (default: all)')
    .action(async (flags: CpFlags) => {
      const write = (line: string) => process.stdout.write(`${line}\n`);
      const { resolveDataDir } = await import('@shoal/control-plane');
      const cp = await startControlPlane({ ...flags, dataDir: resolveDataDir(flags.dataDir) }, write);
      await new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) {
          process.once(signal, () => {
            write(`${signal}: stopping the control plane`);
            resolve();
          });
        }
      });
      await cp.stop(2000);
      write('stopped');
    });
}
