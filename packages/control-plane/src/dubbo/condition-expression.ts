// Dubbo's condition expressions: `method=getComment & arguments[1]!=a,b => region=$region`.
// Left of `=>` matches the request, right of it filters provider instances. A side is a list of
// `key=v1,v2` / `key!=v1` terms joined by `&`; a key may carry both `=` and `!=` values.
// Dubbo: ConditionStateRouter.init/parseRule (ROUTE_PATTERN `([&!=,]*)\s*([^&!=,\s]+)`),
// AbstractConditionMatcher.isMatch, UrlUtils.isMatchGlobPattern, RangeValuePattern.

/** One key of a side with the values it must (`=`) and must not (`!=`) match. */
export interface KeyCondition {
  readonly key: string;
  readonly matches: readonly string[];
  readonly mismatches: readonly string[];
}

export interface ConditionExpression {
  /** The request side; empty matches every request. */
  readonly when: readonly KeyCondition[];
  /** The provider side; `undefined` rejects every provider (an empty right side). */
  readonly then: readonly KeyCondition[] | undefined;
}

const TERM = /([&!=,]*)\s*([^&!=,\s]+)/g;

/**
 * Parses one side; throws an Error whose message says where the expression is wrong (`offset`:
 * where the side starts in the whole condition, for that message).
 */
export function parseConditionSide(text: string, offset = 0): KeyCondition[] {
  const keys = new Map<string, { matches: string[]; mismatches: string[] }>();
  let current: { matches: string[]; mismatches: string[] } | undefined;
  let values: string[] | undefined;
  for (const m of text.matchAll(TERM)) {
    const separator = m[1] ?? '';
    const content = m[2] ?? '';
    const at = (m.index ?? 0) + offset;
    const fail = () =>
      new Error(`unexpected ${JSON.stringify(separator)} at index ${at} before ${JSON.stringify(content)}`);
    // A term after whitespace alone starts a new key, as `&` does (Dubbo accepts `a=1 b=2`).
    if (separator === '' || separator === '&') {
      current = keys.get(content);
      if (!current) {
        current = { matches: [], mismatches: [] };
        keys.set(content, current);
      }
      values = undefined;
    } else if (separator === '=' || separator === '!=') {
      if (!current) throw fail();
      values = separator === '=' ? current.matches : current.mismatches;
      values.push(content);
    } else if (separator === ',') {
      if (!values || values.length === 0) throw fail();
      values.push(content);
    } else {
      throw fail();
    }
  }
  const out: KeyCondition[] = [];
  for (const [key, v] of keys) {
    if (v.matches.length === 0 && v.mismatches.length === 0)
      throw new Error(`${JSON.stringify(key)} has no "=" or "!=" value`);
    out.push({ key, matches: v.matches, mismatches: v.mismatches });
  }
  return out;
}

/**
 * A whole condition. As in Dubbo: `consumer.` and `provider.` prefixes are dropped, a missing `=>`
 * makes the text the provider side, `true` on the left and `false` on the right mean empty.
 */
export function parseCondition(rule: string): ConditionExpression {
  const text = rule.replaceAll('consumer.', '').replaceAll('provider.', '');
  const i = text.indexOf('=>');
  const whenRaw = i < 0 ? '' : text.slice(0, i);
  const thenRaw = i < 0 ? text : text.slice(i + 2);
  const whenText = whenRaw.trim();
  const thenText = thenRaw.trim();
  const lead = (raw: string) => raw.length - raw.trimStart().length;
  const when = whenText === '' || whenText === 'true' ? [] : parseConditionSide(whenText, lead(whenRaw));
  const thenOffset = (i < 0 ? 0 : i + 2) + lead(thenRaw);
  const then = thenText === '' || thenText === 'false' ? undefined : parseConditionSide(thenText, thenOffset);
  return { when, then };
}

/** `1~100`, `~100`, `100~`: an inclusive integer range (Dubbo: RangeValuePattern). */
export interface IntRange {
  readonly from: number | undefined;
  readonly to: number | undefined;
}

export function parseRange(pattern: string): IntRange | undefined {
  if (!pattern.includes('~')) return undefined;
  const [a = '', b = ''] = pattern.split('~');
  const num = (s: string) => (/^-?\d+$/.test(s) ? Number(s) : Number.NaN);
  const from = a === '' ? undefined : num(a);
  const to = b === '' ? undefined : num(b);
  return { from, to };
}

/** Why a value pattern cannot be used, or undefined when it can. */
export function checkValuePattern(pattern: string): string | undefined {
  const range = parseRange(pattern);
  if (!range) return undefined;
  if (pattern.split('~').length !== 2) return 'a range has one "~"';
  if (range.from === undefined && range.to === undefined) return 'a range needs a start or an end';
  if (Number.isNaN(range.from) || Number.isNaN(range.to)) return 'a range is made of integers';
  if (range.from !== undefined && range.to !== undefined && range.from > range.to)
    return `the range starts after it ends`;
  return undefined;
}

/** Dubbo's glob: `*`, `prefix*`, `*suffix`, `pre*suf` (the last `*` splits), or the value itself. */
export function globMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern === '' || value === '') return pattern === value;
  const i = pattern.lastIndexOf('*');
  if (i < 0) return value === pattern;
  if (i === pattern.length - 1) return value.startsWith(pattern.slice(0, i));
  if (i === 0) return value.endsWith(pattern.slice(1));
  return value.startsWith(pattern.slice(0, i)) && value.endsWith(pattern.slice(i + 1));
}

/**
 * One value pattern against a value. `$name` reads `params` (the consumer's parameters) when
 * given; on the request side Dubbo passes none and `$name` is taken literally.
 */
export function patternMatches(
  pattern: string,
  value: string,
  params?: (name: string) => string | undefined,
  isWhen = false,
): boolean {
  const range = parseRange(pattern);
  if (range) {
    // Dubbo: a value that is not a number matches on the provider side and fails on the request side.
    if (!/^-?\d+$/.test(value)) return !isWhen;
    const n = Number(value);
    return (range.from === undefined || n >= range.from) && (range.to === undefined || n <= range.to);
  }
  if (params && pattern.startsWith('$')) {
    const referenced = params(pattern.slice(1));
    if (referenced === undefined) return value === '';
    return globMatches(referenced, value);
  }
  return globMatches(pattern, value);
}

/** Dubbo's AbstractConditionMatcher.isMatch: an absent value never matches, not even `!=`. */
export function keyConditionMatches(
  condition: KeyCondition,
  value: string | undefined,
  params?: (name: string) => string | undefined,
  isWhen = false,
): boolean {
  if (value === undefined) return false;
  const test = (p: string) => patternMatches(p, value, params, isWhen);
  if (condition.mismatches.some(test)) return false;
  return condition.matches.length === 0 || condition.matches.some(test);
}
