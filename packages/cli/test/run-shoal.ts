// Runs the real `shoal` binary as a user would, for the CLI's tests: one verb to its end, or
// `shoal cp` in the background on ports the system picks.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const shoalBin = fileURLToPath(new URL('../../bin/shoal.js', import.meta.url));

export interface ShoalResult {
  code: number;
  stdout: string;
  stderr: string;
}

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
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

export interface RunningCp {
  /** `127.0.0.1:PORT` of the ADS server and of the admin API. */
  xds: string;
  admin: string;
  /** Its data dir, where the admin token is (`SHOAL_DATA_DIR` for the CLI's writes). */
  dataDir: string;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM; resolves with the exit code (undefined when it had already exited). */
  stop(): Promise<number | null | undefined>;
}

/**
 * Starts `shoal cp --xds-port 0 --admin-port 0 ARGS` and resolves once it printed where it
 * listens and `ready` holds for its output (e.g. the config directory was loaded).
 */
export async function startShoalCp(
  args: string[],
  ready: (output: string) => boolean = () => true,
): Promise<RunningCp> {
  const named = args.indexOf('--data-dir');
  const dataDir = named >= 0 ? args[named + 1]! : mkdtempSync(join(tmpdir(), 'shoal-cp-data-'));
  const cp: ChildProcess = spawn(process.execPath, [
    shoalBin,
    'cp',
    '--xds-port',
    '0',
    '--admin-port',
    '0',
    // A data dir of its own unless the test names one: ./.shoal would hold another run's state.
    ...(args.includes('--data-dir') ? [] : ['--data-dir', dataDir]),
    ...args,
  ]);
  let output = '';
  cp.stderr!.on('data', (c) => (output += c));
  const [xds, admin] = await new Promise<[string, string]>((resolve, reject) => {
    cp.stdout!.on('data', (chunk) => {
      output += chunk;
      const m = /xDS \(ADS\) on ([\d.]+:\d+), admin API on http:\/\/([\d.]+:\d+)/.exec(output);
      if (m && ready(output)) resolve([m[1]!, m[2]!]);
    });
    cp.once('exit', () => reject(new Error(`shoal cp exited: ${output}`)));
  });
  return {
    xds,
    admin,
    dataDir,
    output: () => output,
    async stop() {
      if (cp.exitCode !== null || cp.signalCode !== null) return undefined;
      cp.kill('SIGTERM');
      const [code] = (await once(cp, 'exit')) as [number | null];
      return code;
    },
  };
}
