// `shoal cp`: runs Shoal's control plane (ADS on --xds-port, admin API on --admin-port) with an
// in-memory registry and an optional watched config directory, until SIGINT/SIGTERM.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ControlPlane, ControlPlaneLogger, LogLevel } from '@shoal/control-plane';
import { formatIssue } from '@shoal/control-plane/admin-api';
import type { TrafficSource } from '@shoal/control-plane/plugins';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../cli-error.js';

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

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`${flag} must be a port number, got "${value}"`, ExitCode.usage);
  return n;
}

export interface CpFlags {
  xdsPort: string;
  adminPort: string;
  host: string;
  config?: string;
  registry?: string;
  logLevel: string;
  logFormat: string;
}

/** `--registry zookeeper://HOST:PORT[,HOST:PORT][/chroot]` → the connect string. */
export function zookeeperConnect(url: string): string {
  const m = /^zookeeper:\/\/([^?#]+)$/.exec(url);
  if (!m || m[1]!.startsWith('/'))
    throw new CliError(
      `--registry ${JSON.stringify(url)}: expected zookeeper://HOST:PORT (Dubbo's ZooKeeper; Nacos is not supported)`,
      ExitCode.usage,
    );
  return m[1]!;
}

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
  const { ControlPlane } = await import('@shoal/control-plane');
  const ui = consoleDir();
  // Lines logged while starting wait, so that the console's URL is the first thing printed.
  const held: string[] = [];
  let holding = true;
  const log = (line: string) => (holding ? held.push(line) : write(line));
  const cp = new ControlPlane({
    xdsPort: port(flags.xdsPort, '--xds-port'),
    adminPort: port(flags.adminPort, '--admin-port'),
    host: flags.host,
    configDir: flags.config,
    ...(flags.registry ? { zookeeper: zookeeperConnect(flags.registry) } : {}),
    log: createLogger(flags.logLevel as LogLevel, flags.logFormat === 'json', log),
    ...(ui ? { consoleDir: ui } : {}),
    ...extra,
  });
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
  const admin = `http://${addresses.admin.host}:${addresses.admin.port}`;
  write(`shoal console: ${admin}/${ui ? '' : ' (not built: run npm run build)'}`);
  holding = false;
  for (const line of held.splice(0)) write(line);
  write(
    `shoal control plane: xDS (ADS) on ${addresses.xds.host}:${addresses.xds.port}, admin API on ${admin}`,
  );
  const loaded = addresses.config;
  if (loaded) {
    write(
      `config ${flags.config}: ${loaded.files.length} file(s), ${loaded.changes.length} object(s), version ${loaded.version}${loaded.ok ? '' : ' (INVALID: not applied)'}`,
    );
    for (const e of loaded.errors) write(`  error: ${formatIssue(e)}`);
    for (const w of loaded.warnings) write(`  warning: ${formatIssue(w)}`);
  }
  if (flags.registry) write(`registry ${flags.registry}: ${addresses.registry ?? 'connecting'}`);
  return cp;
}

export function registerCp(program: Command): void {
  program
    .command('cp')
    .description("run Shoal's control plane: Envoy v3 xDS from Istio config and a registry")
    .option('--xds-port <port>', 'ADS (gRPC) port', '15010')
    .option('--admin-port <port>', 'admin API (HTTP JSON) port', '15000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--config <dir>', 'a folder of Istio YAML/JSON (and Dubbo rules), loaded and watched')
    .option(
      '--registry <url>',
      "Dubbo's ZooKeeper (zookeeper://HOST:PORT): its providers, instances, mapping and rules are read and watched; Shoal's providers are written there",
    )
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--log-format <format>', 'text or json', 'text')
    .action(async (flags: CpFlags) => {
      const write = (line: string) => process.stdout.write(`${line}\n`);
      const cp = await startControlPlane(flags, write);
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
