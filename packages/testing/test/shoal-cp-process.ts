// The real `shoal` binary, run as a user runs it, for the tests of the CLI and the interop suites:
// one verb to its end, or `shoal cp` in the background on ports the system picks (addresses read
// from what it prints, stopped with SIGTERM), on a data dir of its own unless the test names one.

import { type ChildProcess, execFile, type SpawnOptions, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/cli/bin/shoal.js of this workspace. */
export const shoalBin = fileURLToPath(new URL('../../cli/bin/shoal.js', import.meta.url));

export interface ShoalResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `shoal ARGS` to its end (30 s at most by default), with `input` on stdin. */
export function shoal(
  args: string[],
  options: { input?: string; cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ShoalResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [shoalBin, ...args],
      { cwd: options.cwd, timeout: options.timeoutMs ?? 30_000, env: options.env ?? process.env },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input);
  });
}

/** `--<name> 0` for each name: ports the system picks (`xds-port`, `admin-port`, `metrics-port`...). */
export function systemPorts(...names: string[]): string[] {
  return names.flatMap((name) => [`--${name}`, '0']);
}

/** `node shoal.js ARGS` in the background (stdio piped unless `options` say otherwise). */
export function spawnShoal(args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [shoalBin, ...args], options);
}

const LISTENING = /xDS \(ADS\) on ([\d.]+:\d+), admin API on (https?:\/\/)([\d.]+:\d+)/;

export class ShoalCpProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** `127.0.0.1:PORT` of the ADS server. */
    readonly xds: string,
    /** `127.0.0.1:PORT` of the admin API. */
    readonly admin: string,
    /** `http://` or, with --admin-tls-cert, `https://`. */
    private readonly scheme: string,
    private readonly log: () => string,
    /** Its data dir, where its admin token is (`SHOAL_DATA_DIR` for the CLI's writes). */
    readonly dataDir: string,
  ) {}

  /**
   * `shoal cp --xds-port 0 --admin-port 0 ARGS`, once it printed where it listens and `ready`
   * holds for its output (the config directory was loaded, say). Its data dir is a new temporary
   * one, removed when it exits, unless ARGS name one: ./.shoal would hold another run's state.
   */
  static async start(
    args: readonly string[] = [],
    ready: (output: string) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<ShoalCpProcess> {
    const named = args.indexOf('--data-dir');
    const dataDir = named >= 0 ? args[named + 1]! : mkdtempSync(join(tmpdir(), 'shoal-cp-'));
    const child = spawnShoal([
      'cp',
      ...systemPorts('xds-port', 'admin-port'),
      ...(named >= 0 ? [] : ['--data-dir', dataDir]),
      ...args,
    ]);
    if (named < 0) child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
    let output = '';
    child.stderr!.on('data', (c) => (output += c));
    const addresses = await new Promise<[string, string, string]>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`shoal cp did not start within ${timeoutMs} ms: ${output}`));
      }, timeoutMs);
      child.stdout!.on('data', (c) => {
        output += c;
        const m = LISTENING.exec(output);
        if (m && ready(output)) {
          clearTimeout(timer);
          resolve([m[1]!, m[3]!, m[2]!]);
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`shoal cp exited: ${output}`));
      });
    });
    return new ShoalCpProcess(child, ...addresses, () => output, dataDir);
  }

  /** Everything it printed so far. */
  get output(): string {
    return this.log();
  }

  /** The admin API's URL, `http(s)://127.0.0.1:PORT`. */
  get adminUrl(): string {
    return this.scheme + this.admin;
  }

  get xdsPort(): number {
    return Number(this.xds.split(':')[1]);
  }

  /** The admin token writes need, which it keeps in its data dir. */
  get adminToken(): string {
    return readFileSync(join(this.dataDir, 'admin-token'), 'utf8').trim();
  }

  /** Applies YAML through the admin API; throws with the control plane's errors. */
  async apply(yaml: string): Promise<void> {
    const res = await fetch(`${this.adminUrl}/api/apply?source=interop`, {
      method: 'POST',
      body: yaml,
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/yaml' },
    });
    if (res.status !== 200) throw new Error(`apply failed (${res.status}): ${await res.text()}`);
  }

  /** Runs `shoal ARGS --admin ADDR` with its admin token (and `input` on stdin). */
  shoal(args: string[], input = ''): Promise<ShoalResult> {
    return shoal([...args, '--admin', this.admin], {
      input,
      env: { ...process.env, SHOAL_DATA_DIR: this.dataDir },
    });
  }

  /** SIGTERM; resolves with the exit code (undefined when it had already exited). */
  async stop(): Promise<number | null | undefined> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return undefined;
    this.child.kill('SIGTERM');
    const [code] = (await once(this.child, 'exit')) as [number | null];
    return code;
  }
}
