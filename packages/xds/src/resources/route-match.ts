// gRFC A28 route matching: Envoy's route.v3.RouteMatch as a plain model.
import type { RouteMatch } from '../gen/envoy/config/route/v3/route_components_pb.js';
import { at, index, type Problems } from './decode-result.js';
import {
  decodeHeaderMatcher,
  decodeQueryParameterMatcher,
  type XdsHeaderMatcher,
  type XdsQueryParameterMatcher,
} from './header-matcher.js';
import { compileRe2 } from './regex.js';
import { fractionToPerMillion } from './values.js';

/** What a route matches: a path condition, headers, an optional random fraction. */
export interface XdsRouteMatch {
  readonly path:
    | { readonly kind: 'prefix'; readonly prefix: string }
    | { readonly kind: 'path'; readonly path: string }
    /** RE2, matching the whole path. */
    | { readonly kind: 'safe_regex'; readonly regex: string };
  /** Defaults to true; applies to prefix and path (a regex carries its own case rules). */
  readonly caseSensitive: boolean;
  readonly headers: readonly XdsHeaderMatcher[];
  readonly queryParameters: readonly XdsQueryParameterMatcher[];
  /** Match only this share of calls, in parts per million (runtime_fraction.default_value). */
  readonly fractionPerMillion?: number;
}

export function decodeRouteMatch(
  m: RouteMatch | undefined,
  path: string,
  problems: Problems,
): XdsRouteMatch | undefined {
  if (!m) {
    problems.add(path, 'match is required');
    return undefined;
  }
  const before = problems.errors.length;
  let pathMatch: XdsRouteMatch['path'] | undefined;
  const s = m.pathSpecifier;
  switch (s.case) {
    case 'prefix':
      pathMatch = { kind: 'prefix', prefix: s.value };
      break;
    case 'path':
      pathMatch = { kind: 'path', path: s.value };
      break;
    case 'safeRegex': {
      const re = compileRe2(s.value.regex);
      if (typeof re === 'string') problems.add(at(path, 'safe_regex.regex'), re);
      else pathMatch = { kind: 'safe_regex', regex: s.value.regex };
      break;
    }
    case 'pathSeparatedPrefix':
      problems.add(at(path, 'path_separated_prefix'), 'is not supported');
      break;
    default:
      problems.add(path, 'path_specifier is required (prefix, path or safe_regex)');
  }
  const headers = m.headers
    .map((h, i) => decodeHeaderMatcher(h, index(at(path, 'headers'), i), problems))
    .filter((h): h is XdsHeaderMatcher => h !== undefined);
  const queryParameters = m.queryParameters
    .map((q, i) => decodeQueryParameterMatcher(q, index(at(path, 'query_parameters'), i), problems))
    .filter((q): q is XdsQueryParameterMatcher => q !== undefined);
  const fractionPerMillion = m.runtimeFraction
    ? fractionToPerMillion(
        m.runtimeFraction.defaultValue,
        at(path, 'runtime_fraction.default_value'),
        problems,
      )
    : undefined;
  if (problems.errors.length > before || !pathMatch) return undefined;
  return {
    path: pathMatch,
    caseSensitive: m.caseSensitive ?? true,
    headers,
    queryParameters,
    ...(fractionPerMillion !== undefined && { fractionPerMillion }),
  };
}
