// Dubbo's value patterns as RE2 regexes, for route matchers that Envoy and every gRPC read:
// a glob (`*`, `a*`, `*b`, `a*b`: prefix and suffix around the last `*`, which may overlap),
// the intersection of several globs on one value (a route has one path), and an integer range
// (`1~100`, `~5`, `10~`). Every regex matches the whole value, as xDS's safe_regex does.
// Dubbo: UrlUtils.isMatchGlobPattern, RangeValuePattern.

/** Escapes RE2's special characters. */
export function escapeRe2(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

interface Glob {
  exact?: string;
  prefix: string;
  suffix: string;
}

function parseGlob(pattern: string): Glob {
  if (pattern === '*') return { prefix: '', suffix: '' };
  const i = pattern.lastIndexOf('*');
  if (i < 0) return { exact: pattern, prefix: pattern, suffix: '' };
  return { prefix: pattern.slice(0, i), suffix: pattern.slice(i + 1) };
}

/** Strings that start with `prefix` and end with `suffix`, however they overlap; `any` fills the gap. */
function prefixSuffixRegex(prefix: string, suffix: string, any = '.*'): string {
  if (prefix === '' && suffix === '') return any;
  const alternatives = [`${escapeRe2(prefix)}${any}${escapeRe2(suffix)}`];
  for (let k = 1; k <= Math.min(prefix.length, suffix.length); k++) {
    if (prefix.endsWith(suffix.slice(0, k))) alternatives.push(escapeRe2(prefix + suffix.slice(k)));
  }
  return alternatives.length === 1 ? alternatives[0]! : `(?:${alternatives.join('|')})`;
}

/** One glob as a regex. */
export function globRegex(pattern: string): string {
  const g = parseGlob(pattern);
  return g.exact !== undefined ? escapeRe2(g.exact) : prefixSuffixRegex(g.prefix, g.suffix);
}

/** A glob's literal match as an Istio StringMatch when it has one (exact, prefix), else its regex. */
export function globStringMatch(
  pattern: string,
): { exact: string } | { prefix: string } | { regex: string } | Record<string, never> {
  const g = parseGlob(pattern);
  if (g.exact !== undefined) return { exact: g.exact };
  if (g.prefix === '' && g.suffix === '') return {};
  if (g.suffix === '') return { prefix: g.prefix };
  return { regex: prefixSuffixRegex(g.prefix, g.suffix) };
}

/**
 * The values every glob matches, as a regex; `null` when no value can match them all; `undefined`
 * for no globs (anything). `fold` compares without case (the regex is then used under `(?i)`);
 * `any` is what `*` stands for (`[^/]*` within one segment of a path).
 */
export function globIntersectionRegex(
  patterns: readonly string[],
  fold: boolean,
  any = '.*',
): string | null | undefined {
  if (patterns.length === 0) return undefined;
  const globs = patterns.map((p) => parseGlob(fold ? p.toLowerCase() : p));
  const exact = globs.find((g) => g.exact !== undefined)?.exact;
  if (exact !== undefined) {
    const all = globs.every((g) =>
      g.exact !== undefined ? g.exact === exact : exact.startsWith(g.prefix) && exact.endsWith(g.suffix),
    );
    return all ? escapeRe2(exact) : null;
  }
  const prefix = globs.map((g) => g.prefix).reduce((a, b) => (a.length >= b.length ? a : b));
  const suffix = globs.map((g) => g.suffix).reduce((a, b) => (a.length >= b.length ? a : b));
  if (!globs.every((g) => prefix.startsWith(g.prefix) && suffix.endsWith(g.suffix))) return null;
  return prefixSuffixRegex(prefix, suffix, any);
}

/** Non-negative integers in [lo, hi] (hi undefined: no end), without leading zeros. */
function naturalRange(lo: number, hi: number | undefined): string {
  if (hi === undefined) {
    const d = String(lo).length;
    return [...naturalPatterns(lo, 10 ** d - 1), `[1-9]\\d{${d},}`].join('|');
  }
  return lo > hi ? '' : naturalPatterns(lo, hi).join('|');
}

function naturalPatterns(lo: number, hi: number): string[] {
  const a = String(lo);
  const b = String(hi);
  if (a.length < b.length)
    return [...naturalPatterns(lo, 10 ** a.length - 1), ...naturalPatterns(10 ** a.length, hi)];
  return sameLength(a, b);
}

const digits = (x: number, y: number) => (x === y ? String(x) : `[${x}-${y}]`);

/** Numbers from a to b, both of the same length. */
function sameLength(a: string, b: string): string[] {
  const n = a.length;
  if (a === b) return [a];
  if (n === 1) return [digits(Number(a), Number(b))];
  if (a[0] === b[0]) return sameLength(a.slice(1), b.slice(1)).map((p) => `${a[0]}${p}`);
  const out: string[] = [];
  let low = Number(a[0]);
  if (a.slice(1) !== '0'.repeat(n - 1)) {
    out.push(...sameLength(a, `${a[0]}${'9'.repeat(n - 1)}`));
    low++;
  }
  let high = Number(b[0]);
  const tail: string[] = [];
  if (b.slice(1) !== '9'.repeat(n - 1)) {
    tail.push(...sameLength(`${b[0]}${'0'.repeat(n - 1)}`, b));
    high--;
  }
  if (low <= high) out.push(`${digits(low, high)}\\d{${n - 1}}`);
  return [...out, ...tail];
}

/** Integers in the inclusive range (either end may be open), as Dubbo's RangeValuePattern reads them. */
export function intRangeRegex(from: number | undefined, to: number | undefined): string {
  const alternatives: string[] = [];
  const lo = from ?? Number.NEGATIVE_INFINITY;
  const hi = to ?? Number.POSITIVE_INFINITY;
  // Negative values: -k for k in [max(1, -hi), -lo].
  if (lo < 0) {
    const kLo = hi < 0 ? -hi : 1;
    const kHi = Number.isFinite(lo) ? -lo : undefined;
    if (kHi === undefined || kLo <= kHi) alternatives.push(`-0*(?:${naturalRange(kLo, kHi)})`);
  }
  if (hi >= 0) {
    const nLo = Math.max(lo, 0);
    const nHi = Number.isFinite(hi) ? hi : undefined;
    alternatives.push(`0*(?:${naturalRange(nLo, nHi)})`);
  }
  // Leading zeros read as Java's Integer.parseInt reads them.
  return `(?:${alternatives.filter((a) => !a.endsWith('(?:)')).join('|')})`;
}
