// Istio HTTPMatchRequest → Envoy RouteMatch: uri exact/prefix/regex, headers exact/prefix/regex/
// present (and withoutHeaders inverted), method/authority/scheme as pseudo-headers, query params.
// Envoy: config.route.v3.RouteMatch, HeaderMatcher, QueryParameterMatcher; Istio: translateRouteMatch.
//
// Header matchers use HeaderMatcher's exact_match / prefix_match / safe_regex_match, not
// string_match: gRPC reads string_match only since gRFC A63 (C-core and Go 1.56, Java 1.53,
// grpc-js-xds 1.9), and older clients NACK the whole RouteConfiguration ("Invalid route header
// matcher specified" from C-core 1.51). Every gRPC version, Envoy and Shoal read the older fields,
// and A63 keeps them supported.

import { create } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';
import type { HTTPMatchRequest, StringMatch } from '../config/networking-types.js';

export function buildRouteMatch(match: HTTPMatchRequest | undefined): envoy.RouteMatch {
  const out = create(envoy.RouteMatchSchema, { pathSpecifier: { case: 'prefix', value: '/' } });
  if (!match) return out;
  const uri = match.uri;
  if (uri?.exact !== undefined) out.pathSpecifier = { case: 'path', value: uri.exact };
  else if (uri?.prefix !== undefined) out.pathSpecifier = { case: 'prefix', value: uri.prefix };
  else if (uri?.regex !== undefined) {
    out.pathSpecifier = { case: 'safeRegex', value: create(envoy.RegexMatcherSchema, { regex: uri.regex }) };
  }
  if (match.ignoreUriCase) out.caseSensitive = false;
  for (const [name, m] of Object.entries(match.headers ?? {}))
    out.headers.push(headerMatcher(name.toLowerCase(), m, false));
  for (const [name, m] of Object.entries(match.withoutHeaders ?? {})) {
    out.headers.push(headerMatcher(name.toLowerCase(), m, true));
  }
  if (match.method) out.headers.push(headerMatcher(':method', match.method, false));
  if (match.authority) out.headers.push(headerMatcher(':authority', match.authority, false));
  if (match.scheme) out.headers.push(headerMatcher(':scheme', match.scheme, false));
  for (const [name, m] of Object.entries(match.queryParams ?? {})) {
    const sm = stringMatcher(m);
    out.queryParameters.push(
      create(envoy.QueryParameterMatcherSchema, {
        name,
        queryParameterMatchSpecifier: sm
          ? { case: 'stringMatch', value: sm }
          : { case: 'presentMatch', value: true },
      }),
    );
  }
  return out;
}

/** One header condition (an empty StringMatch: the header is present). */
export function headerMatcher(name: string, m: StringMatch, invert: boolean): envoy.HeaderMatcher {
  return create(envoy.HeaderMatcherSchema, {
    name,
    headerMatchSpecifier: headerSpecifier(m),
    invertMatch: invert,
  });
}

/** An empty match (`{}`), like an empty prefix, is Istio's "present". */
function headerSpecifier(m: StringMatch): envoy.HeaderMatcher['headerMatchSpecifier'] {
  if (m.exact !== undefined) return { case: 'exactMatch', value: m.exact };
  if (m.prefix) return { case: 'prefixMatch', value: m.prefix };
  if (m.regex !== undefined)
    return { case: 'safeRegexMatch', value: create(envoy.RegexMatcherSchema, { regex: m.regex }) };
  return { case: 'presentMatch', value: true };
}

/** Undefined for an empty match (`{}`), which Istio reads as "present". */
function stringMatcher(m: StringMatch): envoy.StringMatcher | undefined {
  if (m.exact !== undefined)
    return create(envoy.StringMatcherSchema, { matchPattern: { case: 'exact', value: m.exact } });
  if (m.prefix !== undefined) {
    return create(envoy.StringMatcherSchema, { matchPattern: { case: 'prefix', value: m.prefix } });
  }
  if (m.regex !== undefined) {
    return create(envoy.StringMatcherSchema, {
      matchPattern: { case: 'safeRegex', value: create(envoy.RegexMatcherSchema, { regex: m.regex }) },
    });
  }
  return undefined;
}
