// RE2 patterns (Envoy: type.matcher.v3.RegexMatcher, google_re2 engine) checked and turned into
// JavaScript RegExps. Envoy and gRPC match the WHOLE string, so a matcher's RegExp is anchored; a
// RegexMatchAndSubstitute replaces every match (re2::GlobalReplace), so its RegExp is global and
// its substitution's `\1` group references become JavaScript's `$1`. JavaScript features RE2
// rejects (look-around, back-references) are rejected here too.

const RE2_ONLY: ReadonlyArray<[RegExp, string]> = [
  [/\(\?P</g, '(?<'], // named group, Python/RE2 spelling
  [/\\A/g, '^'],
  [/\\z/g, '$'],
];

const NOT_RE2: ReadonlyArray<[RegExp, string]> = [
  [/\(\?<?[=!]/, 'look-around is not supported by RE2'],
  [/\\[1-9]/, 'back-references are not supported by RE2'],
];

/**
 * Compiles an RE2 pattern into a RegExp matching the whole string (or, with `replaceAll`, a global
 * one for RegexMatchAndSubstitute), or returns why it is not valid.
 */
export function compileRe2(pattern: string, replaceAll = false): RegExp | string {
  for (const [re, why] of NOT_RE2) if (re.test(pattern)) return why;
  let flags = '';
  let source = pattern;
  if (source.startsWith('(?i)')) {
    flags = 'i';
    source = source.slice(4);
  }
  for (const [re, replacement] of RE2_ONLY) source = source.replace(re, replacement);
  try {
    return replaceAll ? new RegExp(source, `${flags}g`) : new RegExp(`^(?:${source})$`, flags);
  } catch (e) {
    return `invalid regex ${JSON.stringify(pattern)}: ${(e as Error).message}`;
  }
}

/** An RE2 substitution (`\1` refers to group 1) as String.replace takes it (`$1`; `$` itself is `$$`). */
export function re2Substitution(substitution: string): string {
  return substitution.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
}
