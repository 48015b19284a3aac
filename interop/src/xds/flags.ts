// Command-line flags in gRPC's interop style: `--name=value` (or `--name value`), booleans also as
// a bare `--name`. Unknown flags and bad values are errors that name the flag.

export type FlagSpec =
  | { readonly type: 'string'; readonly default?: string; readonly help: string }
  | { readonly type: 'int'; readonly default?: number; readonly min?: number; readonly help: string }
  | { readonly type: 'bool'; readonly default?: boolean; readonly help: string };

type ValueOf<S extends FlagSpec> = S extends { type: 'string' }
  ? string
  : S extends { type: 'int' }
    ? number
    : boolean;

export type ParsedFlags<T extends Record<string, FlagSpec>> = {
  [K in keyof T]: T[K] extends { default: unknown } ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

export class FlagError extends Error {
  override name = 'FlagError';
}

export function parseFlags<T extends Record<string, FlagSpec>>(
  specs: T,
  argv: readonly string[],
): ParsedFlags<T> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) if (spec.default !== undefined) out[name] = spec.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--'))
      throw new FlagError(`unexpected argument "${arg}" (flags look like --name=value)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) throw new FlagError(`unknown flag --${name}`);
    let text: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    if (text === undefined) {
      const next = argv[i + 1];
      if (
        spec.type === 'bool' &&
        (next === undefined || next.startsWith('--') || !/^(true|false)$/.test(next))
      ) {
        text = 'true';
      } else if (next === undefined) {
        throw new FlagError(`--${name} needs a value`);
      } else {
        text = next;
        i++;
      }
    }
    out[name] = convert(name, spec, text);
  }
  return out as ParsedFlags<T>;
}

function convert(name: string, spec: FlagSpec, text: string): string | number | boolean {
  switch (spec.type) {
    case 'string':
      return text;
    case 'bool':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw new FlagError(`--${name}=${text}: expected true or false`);
    case 'int': {
      if (!/^-?\d+$/.test(text)) throw new FlagError(`--${name}=${text}: expected an integer`);
      const value = Number(text);
      if (spec.min !== undefined && value < spec.min)
        throw new FlagError(`--${name}=${text}: must be ≥ ${spec.min}`);
      return value;
    }
  }
}

/** One line per flag, for --help. */
export function flagHelp(specs: Record<string, FlagSpec>): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const value = spec.type === 'bool' ? '[=true|false]' : spec.type === 'int' ? '=N' : '=VALUE';
      const dflt = spec.default === undefined ? '' : ` (default ${String(spec.default)})`;
      return `  --${name}${value}\n      ${spec.help}${dflt}`;
    })
    .join('\n');
}
