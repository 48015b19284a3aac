// Test support: runs the harness bins as child processes and reads the ports they print.
// Internal to the tests; every process is killed by its owner's `after`.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const binDir = fileURLToPath(new URL('../../bin/', import.meta.url));

export interface HarnessProcess {
  readonly child: ChildProcess;
  /** The `key=value` pairs of the first line the process printed. */
  readonly info: Record<string, string>;
  output(): string;
  stop(): Promise<number | null>;
}

/** How long a harness process may take to print its start-up line: 4–7 s on a loaded 2-core machine. */
const START_TIMEOUT_MS = 30_000;

/** Spawns `shoal-xds-interop-<kind>` and waits for its start-up line. */
export function startHarnessProcess(
  kind: 'server' | 'client',
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<HarnessProcess> {
  const child = spawn(process.execPath, [`${binDir}shoal-xds-interop-${kind}.js`, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test file that ends early (the runner's timeout) takes its harness processes with it.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  let out = '';
  child.stdout?.on('data', (chunk) => (out += chunk));
  child.stderr?.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const handle: Omit<HarnessProcess, 'info'> = {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`shoal-xds-interop-${kind} did not start within ${START_TIMEOUT_MS / 1000} s:\n${out}`),
      );
    }, START_TIMEOUT_MS);
    const onData = () => {
      const line = out
        .split('\n')
        .find((l) => l.startsWith(`shoal-xds-interop-${kind}: `) && l.includes('port='));
      if (!line) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      const info = Object.fromEntries(
        line
          .split(' ')
          .filter((w) => w.includes('='))
          .map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]),
      );
      resolve({ ...handle, info });
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`shoal-xds-interop-${kind} exited with ${code}:\n${out}`));
    });
  });
}

/** Runs a bin to completion (for flag errors); resolves with its exit code and output. */
export function runHarnessProcess(
  kind: 'server' | 'client',
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [`${binDir}shoal-xds-interop-${kind}.js`, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}
