// The command-line options of a suite (`npm run bench -- <suite> [options]`), declared once per
// suite with their defaults and checked in one place: a bad value is an error naming the option
// and what it takes. Built on node:util's parseArgs, which also refuses unknown options.

import { parseArgs } from 'node:util';

interface IntSpec {
  readonly kind: 'int';
  readonly fallback: number;
  readonly max: number | undefined;
  readonly min?: number;
}
interface PositiveSpec {
  readonly kind: 'positive';
  readonly fallback: number;
}
interface SubsetSpec {
  readonly kind: 'subset';
  /** What one name is, for errors: `section`, `client`. */
  readonly what: string;
  readonly names: readonly string[];
}
interface PathSpec {
  readonly kind: 'path';
}
interface ChoiceSpec {
  readonly kind: 'choice';
  readonly names: readonly string[];
}
interface FlagSpec {
  readonly kind: 'flag';
}
type Spec = IntSpec | PositiveSpec | SubsetSpec | PathSpec | ChoiceSpec | FlagSpec;

type Value<S extends Spec> = S extends IntSpec | PositiveSpec
  ? number
  : S extends SubsetSpec
    ? Set<string>
    : S extends FlagSpec
      ? boolean
      : string | undefined;

/** An integer from 1 (to `max`, when given). */
export const int = (fallback: number, max?: number): IntSpec => ({ kind: 'int', fallback, max });
/** An integer from 0. */
export const count = (fallback: number): IntSpec => ({ kind: 'int', fallback, max: undefined, min: 0 });
/** A number above 0. */
export const positive = (fallback: number): PositiveSpec => ({ kind: 'positive', fallback });
/** A comma-separated subset of `names` (the suite's sections, clients); all of them by default. */
export const subset = (what: string, ...names: string[]): SubsetSpec => ({ kind: 'subset', what, names });
/** A path, unset by default. */
export const path = (): PathSpec => ({ kind: 'path' });
/** One of `names`, unset by default. */
export const choice = (...names: string[]): ChoiceSpec => ({ kind: 'choice', names });
/** A flag without a value, false by default. */
export const flag = (): FlagSpec => ({ kind: 'flag' });

/** Reads `args` by `specs`; throws an Error naming the first bad option. */
export function parseOptions<T extends Record<string, Spec>>(
  args: string[],
  specs: T,
): { [K in keyof T]: Value<T[K]> } {
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      { type: spec.kind === 'flag' ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  const { values } = parseArgs({ args, options });
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = values[name];
    out[name] = spec.kind === 'flag' ? raw === true : read(name, spec, raw as string | undefined);
  }
  return out as { [K in keyof T]: Value<T[K]> };
}

function read(name: string, spec: Exclude<Spec, FlagSpec>, raw: string | undefined): unknown {
  switch (spec.kind) {
    case 'path':
      return raw;
    case 'choice':
      if (raw !== undefined && !spec.names.includes(raw))
        throw new Error(`--${name}: expected ${spec.names.join(' or ')}, got "${raw}"`);
      return raw;
    case 'subset': {
      const chosen = new Set(raw === undefined ? spec.names : raw.split(','));
      for (const s of chosen)
        if (!spec.names.includes(s))
          throw new Error(`--${name}: unknown ${spec.what} "${s}" (${spec.names.join(', ')})`);
      return chosen;
    }
    case 'positive': {
      const n = raw === undefined ? spec.fallback : Number(raw);
      if (!(n > 0)) throw new Error(`--${name} must be a positive number, got "${raw}"`);
      return n;
    }
    case 'int': {
      const n = raw === undefined ? spec.fallback : Number(raw);
      const min = spec.min ?? 1;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isInteger(n) || n < min || n > max)
        throw new Error(
          `--${name} must be ${spec.max !== undefined ? `an integer ${min}..${spec.max}` : min === 0 ? 'an integer from 0' : 'a positive integer'}, got "${raw}"`,
        );
      return n;
    }
  }
}
