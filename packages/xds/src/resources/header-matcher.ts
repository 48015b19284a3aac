// Envoy: route.v3.HeaderMatcher and route.v3.QueryParameterMatcher as plain models (gRFC A28).
// The deprecated exact/prefix/suffix/contains/safe_regex fields are folded into a string matcher.
import type {
  HeaderMatcher,
  QueryParameterMatcher,
} from '../gen/envoy/config/route/v3/route_components_pb.js';
import { at, type Problems } from './decode-result.js';
import { compileRe2 } from './regex.js';
import { decodeStringMatcher, type XdsStringMatcher } from './string-matcher.js';

/** One header condition of a route. `invert` negates the result of `match`. */
export interface XdsHeaderMatcher {
  readonly name: string;
  readonly match:
    | { readonly kind: 'string'; readonly matcher: XdsStringMatcher }
    /** The header parses as an integer in [start, end). */
    | { readonly kind: 'range'; readonly start: number; readonly end: number }
    /** The header is present (or absent, when `present` is false). */
    | { readonly kind: 'present'; readonly present: boolean };
  readonly invert: boolean;
  readonly treatMissingAsEmpty: boolean;
}

export function decodeHeaderMatcher(
  m: HeaderMatcher,
  path: string,
  problems: Problems,
): XdsHeaderMatcher | undefined {
  if (m.name === '') problems.add(at(path, 'name'), 'must not be empty');
  const base = {
    name: m.name.toLowerCase(),
    invert: m.invertMatch,
    treatMissingAsEmpty: m.treatMissingHeaderAsEmpty,
  };
  const s = m.headerMatchSpecifier;
  let match: XdsHeaderMatcher['match'] | undefined;
  switch (s.case) {
    case 'exactMatch':
      match = { kind: 'string', matcher: { kind: 'exact', value: s.value, ignoreCase: false } };
      break;
    case 'prefixMatch':
    case 'suffixMatch':
    case 'containsMatch': {
      const kind = s.case === 'prefixMatch' ? 'prefix' : s.case === 'suffixMatch' ? 'suffix' : 'contains';
      if (s.value === '') problems.add(at(path, `${kind}_match`), 'must not be empty');
      else match = { kind: 'string', matcher: { kind, value: s.value, ignoreCase: false } };
      break;
    }
    case 'safeRegexMatch': {
      const re = compileRe2(s.value.regex);
      if (typeof re === 'string') problems.add(at(path, 'safe_regex_match.regex'), re);
      else match = { kind: 'string', matcher: { kind: 'safe_regex', regex: s.value.regex } };
      break;
    }
    case 'stringMatch': {
      const matcher = decodeStringMatcher(s.value, at(path, 'string_match'), problems);
      if (matcher) match = { kind: 'string', matcher };
      break;
    }
    case 'rangeMatch':
      if (s.value.start >= s.value.end) {
        problems.add(at(path, 'range_match'), `start ${s.value.start} must be below end ${s.value.end}`);
      } else {
        match = { kind: 'range', start: Number(s.value.start), end: Number(s.value.end) };
      }
      break;
    case 'presentMatch':
      match = { kind: 'present', present: s.value };
      break;
    default:
      problems.add(path, 'header_match_specifier is required');
  }
  return match ? { ...base, match } : undefined;
}

/** One query-parameter condition of a route. */
export interface XdsQueryParameterMatcher {
  readonly name: string;
  readonly match:
    | { readonly kind: 'string'; readonly matcher: XdsStringMatcher }
    | { readonly kind: 'present' };
}

export function decodeQueryParameterMatcher(
  m: QueryParameterMatcher,
  path: string,
  problems: Problems,
): XdsQueryParameterMatcher | undefined {
  if (m.name === '') problems.add(at(path, 'name'), 'must not be empty');
  const s = m.queryParameterMatchSpecifier;
  if (s.case === 'presentMatch') return { name: m.name, match: { kind: 'present' } };
  if (s.case === 'stringMatch') {
    const matcher = decodeStringMatcher(s.value, at(path, 'string_match'), problems);
    return matcher ? { name: m.name, match: { kind: 'string', matcher } } : undefined;
  }
  problems.add(path, 'query_parameter_match_specifier is required');
  return undefined;
}
