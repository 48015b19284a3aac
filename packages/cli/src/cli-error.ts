// Errors the CLI prints as one line: what failed, where, and what to do. A stack trace only
// with --verbose. Exit codes scripts can trust: 1 failure, 2 usage, 3 call returned an error status.

import { RpcError } from '@shoal/rpc';

export const ExitCode = { ok: 0, failure: 1, usage: 2, callFailed: 3 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function describeError(err: unknown, verbose: boolean): { line: string; exitCode: number } {
  const stack = verbose && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  if (err instanceof CliError) {
    return {
      line: `shoal: ${err.message}${err.hint ? ` (${err.hint})` : ''}${stack}`,
      exitCode: err.exitCode,
    };
  }
  if (err instanceof RpcError) {
    return { line: `shoal: ${err.message}${stack}`, exitCode: ExitCode.callFailed };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { line: `shoal: ${message}${stack}`, exitCode: ExitCode.failure };
}
