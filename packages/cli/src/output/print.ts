// One way to print results: a table (or text) for people, `-o json` / `-o yaml` for scripts.

import { stringify } from 'yaml';
import { CliError, ExitCode } from '../cli-error.js';

export type OutputFormat = 'text' | 'json' | 'yaml';

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'table' || value === 'text' || value === 'wide') return 'text';
  if (value === 'json' || value === 'yaml') return value;
  throw new CliError(`unknown output format "${value}"`, ExitCode.usage, 'use -o json or -o yaml');
}

export function printData(data: unknown, format: OutputFormat, asText: () => string): void {
  if (format === 'json') process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else if (format === 'yaml') process.stdout.write(stringify(data));
  else process.stdout.write(`${asText()}\n`);
}
