// Durations on the command line: `250ms`, `2s`, `1.5s`, `1m`; a bare number is seconds.

import { CliError, ExitCode } from './cli-error.js';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new CliError(`${flag} "${value}" is not a duration`, ExitCode.usage, 'e.g. 500ms, 2s, 1m');
  return Number(m[1]) * units[m[2] ?? 's']!;
}
