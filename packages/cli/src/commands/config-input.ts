// `-f FILE|-` for the config verbs: a file, a folder of YAML/JSON files, or standard input.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { CliError, ExitCode } from '../cli-error.js';

export interface ConfigText {
  source: string;
  text: string;
}

export function readConfigInput(file: string | undefined): ConfigText[] {
  if (!file) throw new CliError('no config given', ExitCode.usage, 'pass -f FILE, -f DIR or -f - for stdin');
  if (file === '-') return [{ source: 'stdin', text: readFileSync(0, 'utf8') }];
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(file);
  } catch (err) {
    throw new CliError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (!stat.isDirectory()) return [{ source: file, text: readFileSync(file, 'utf8') }];
  return readdirSync(file)
    .filter((name) => ['.yaml', '.yml', '.json'].includes(extname(name)))
    .sort()
    .map((name) => ({ source: join(file, name), text: readFileSync(join(file, name), 'utf8') }));
}
