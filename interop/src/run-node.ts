// Runs a Node script as a separate process, as a user would run a binary, for the tests here.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runNode(
  script: string,
  args: string[],
  options: { timeoutMs?: number; cwd?: string } = {},
): Promise<Exit> {
  const { timeoutMs = 20_000, cwd } = options;
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout: timeoutMs, cwd }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The `shoal` CLI of this checkout. */
export const shoalBin = fileURLToPath(new URL('../../packages/cli/bin/shoal.js', import.meta.url));

export function runShoal(args: string[], options: { cwd?: string } = {}): Promise<Exit> {
  return runNode(shoalBin, args, { ...options, timeoutMs: 30_000 });
}
