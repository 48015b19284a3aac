// Validation helpers shared by the mesh's config parsers: every problem is collected with its
// field path, then reported at once as one RpcError (DESIGN.md: "one error type").

import { Code, RpcError } from '@shoal/rpc/client';

/** Collects `path: problem` lines; `throwIfAny` raises them as one INVALID_ARGUMENT error. */
export class ConfigErrors {
  readonly problems: string[] = [];

  constructor(private readonly what: string) {}

  add(path: string, problem: string): void {
    this.problems.push(`${path}: ${problem}`);
  }

  throwIfAny(): void {
    if (this.problems.length === 0) return;
    throw new RpcError(Code.INVALID_ARGUMENT, `invalid ${this.what}: ${this.problems.join('; ')}`);
  }
}

/** Reads an optional integer field, checking its range; returns `fallback` when absent. */
export function readInt(
  errors: ConfigErrors,
  obj: Record<string, unknown>,
  key: string,
  path: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    errors.add(`${path}.${key}`, `must be an integer, got ${JSON.stringify(v)}`);
    return fallback;
  }
  if (v < min || v > max) {
    errors.add(`${path}.${key}`, `must be in [${min}, ${max}], got ${v}`);
    return fallback;
  }
  return v;
}

/** Reads an optional non-negative duration in milliseconds. */
export function readMs(
  errors: ConfigErrors,
  obj: Record<string, unknown>,
  key: string,
  path: string,
  fallback: number,
): number {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    errors.add(`${path}.${key}`, `must be a non-negative number of milliseconds, got ${JSON.stringify(v)}`);
    return fallback;
  }
  return v;
}

/** Checks that a config is a plain object (or absent, read as `{}`). */
export function asObject(errors: ConfigErrors, raw: unknown, path: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.add(path, `must be an object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
    return {};
  }
  return raw as Record<string, unknown>;
}
