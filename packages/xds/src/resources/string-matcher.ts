// Envoy: type.matcher.v3.StringMatcher, as a plain model (gRFC A28 header matching, A29 SAN matching).
import type { StringMatcher } from '../gen/envoy/type/matcher/v3/string_pb.js';
import { at, type Problems } from './decode-result.js';
import { compileRe2 } from './regex.js';

/** How a string is matched. `safe_regex` is RE2 syntax matching the whole value. */
export type XdsStringMatcher =
  | {
      readonly kind: 'exact' | 'prefix' | 'suffix' | 'contains';
      readonly value: string;
      readonly ignoreCase: boolean;
    }
  | { readonly kind: 'safe_regex'; readonly regex: string };

/** Validates a StringMatcher; `undefined` (with errors recorded) when it is not usable. */
export function decodeStringMatcher(
  m: StringMatcher | undefined,
  path: string,
  problems: Problems,
): XdsStringMatcher | undefined {
  if (!m) {
    problems.add(path, 'string matcher is required');
    return undefined;
  }
  const p = m.matchPattern;
  switch (p.case) {
    case 'exact':
    case 'prefix':
    case 'suffix':
    case 'contains':
      if (p.case !== 'exact' && p.value === '') {
        problems.add(at(path, p.case), 'must not be empty');
        return undefined;
      }
      return { kind: p.case, value: p.value, ignoreCase: m.ignoreCase };
    case 'safeRegex': {
      const compiled = compileRe2(p.value.regex);
      if (typeof compiled === 'string') {
        problems.add(at(path, 'safe_regex.regex'), compiled);
        return undefined;
      }
      if (m.ignoreCase) {
        problems.add(at(path, 'ignore_case'), 'is not allowed with safe_regex');
        return undefined;
      }
      return { kind: 'safe_regex', regex: p.value.regex };
    }
    default:
      problems.add(path, 'match_pattern is required (exact, prefix, suffix, contains or safe_regex)');
      return undefined;
  }
}

/** Builds a predicate for a matcher (for the data plane and the control plane's analysis). */
export function stringMatcherPredicate(m: XdsStringMatcher): (value: string) => boolean {
  if (m.kind === 'safe_regex') {
    const re = compileRe2(m.regex);
    if (typeof re === 'string') return () => false;
    return (value) => re.test(value);
  }
  const want = m.ignoreCase ? m.value.toLowerCase() : m.value;
  const norm = (v: string) => (m.ignoreCase ? v.toLowerCase() : v);
  switch (m.kind) {
    case 'exact':
      return (v) => norm(v) === want;
    case 'prefix':
      return (v) => norm(v).startsWith(want);
    case 'suffix':
      return (v) => norm(v).endsWith(want);
    case 'contains':
      return (v) => norm(v).includes(want);
  }
}
