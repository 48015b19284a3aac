// Configs given as plain objects rather than decoded from xDS: an LB policy's config, which the
// registry hands its plug-in opaquely (as gRPC's LB policy ParseConfig gets its JSON), and
// endpoints made in code. Every problem is recorded in @shoal/xds's Problems with its field path,
// and a config with problems is refused as one INVALID_ARGUMENT RpcError (DESIGN.md: one error
// type, decoders collect every error).

import { Code, RpcError } from '@shoal/rpc/client';
import type { Problems } from '@shoal/xds/plugins';

/** Throws INVALID_ARGUMENT listing every problem, when there is one. */
export function refuseIfAny(problems: Problems, what: string): void {
  if (problems.empty) return;
  throw new RpcError(Code.INVALID_ARGUMENT, `invalid ${what}: ${problems.errors.join('; ')}`);
}

/** Reads an optional integer field, checking its range; returns `fallback` when absent. */
export function readInt(
  problems: Problems,
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
    problems.add(`${path}.${key}`, `must be an integer, got ${JSON.stringify(v)}`);
    return fallback;
  }
  if (v < min || v > max) {
    problems.add(`${path}.${key}`, `must be in [${min}, ${max}], got ${v}`);
    return fallback;
  }
  return v;
}

/** Reads an optional non-negative duration in milliseconds. */
export function readMs(
  problems: Problems,
  obj: Record<string, unknown>,
  key: string,
  path: string,
  fallback: number,
): number {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    problems.add(`${path}.${key}`, `must be a non-negative number of milliseconds, got ${JSON.stringify(v)}`);
    return fallback;
  }
  return v;
}

/** Checks that a config is a plain object (or absent, read as `{}`). */
export function asObject(problems: Problems, raw: unknown, path: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.add(path, `must be an object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
    return {};
  }
  return raw as Record<string, unknown>;
}
