// Value parsers for the interop binaries' flags, which follow gRPC's interop harness:
// `--name=value`, booleans as `--use_tls=false` (or a bare `--use_tls`).

import { InvalidArgumentError } from 'commander';

export function parseBool(value: string | undefined): boolean {
  if (value === undefined || value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError(`expected true or false, got "${value}"`);
}

export function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    throw new InvalidArgumentError(`expected a port 0..65535, got "${value}"`);
  return port;
}

export function parsePositiveInt(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n > 0)) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}
