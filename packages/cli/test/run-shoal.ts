// Runs the real `shoal` binary as a user would, for the CLI's tests.

import { execFile } from 'node:child_process';
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
