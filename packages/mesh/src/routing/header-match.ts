// Header matching for routes and fault filters (gRFC A28, Envoy: route.v3.HeaderMatcher).
// A matcher is compiled once per config snapshot (regexes included) into a predicate over the
// call's metadata. As in gRPC: binary (`-bin`) headers are never visible to matchers, so they
// read as absent; `content-type` reads as `application/grpc`, whatever the call sends; several
// values of one header are joined with `,`. An absent header fails every matcher except
// `present: false`, and `invert_match` does not turn that failure into a match.

import { stringMatcherPredicate, type XdsHeaderMatcher } from '@shoal/xds/plugins';

/** Request headers as the matchers read them; @shoal/rpc's Metadata fits. */
export interface HeaderLookup {
  getAll(key: string): readonly (string | Uint8Array)[];
}

const INTEGER = /^[+-]?\d+$/;

export type HeaderPredicate = (headers: HeaderLookup) => boolean;

/** The value gRPC matchers see for `name` (lower case), or undefined when absent. */
export function headerValueForMatching(headers: HeaderLookup, name: string): string | undefined {
  if (name.endsWith('-bin')) return undefined;
  if (name === 'content-type') return 'application/grpc';
  const values = headers.getAll(name);
  if (values.length === 0) return undefined;
  if (values.length === 1) {
    const v = values[0];
    return typeof v === 'string' ? v : undefined;
  }
  const strings = values.filter((v): v is string => typeof v === 'string');
  return strings.length === 0 ? undefined : strings.join(',');
}

/** Compiles one header matcher into a predicate. */
export function compileHeaderMatcher(m: XdsHeaderMatcher): HeaderPredicate {
  const name = m.name.toLowerCase();
  const invert = m.invert;
  const match = m.match;
  if (match.kind === 'present') {
    const want = match.present;
    return (headers) => ((headerValueForMatching(headers, name) !== undefined) === want) !== invert;
  }
  const missing = m.treatMissingAsEmpty ? '' : undefined;
  let test: (value: string) => boolean;
  if (match.kind === 'range') {
    const { start, end } = match;
    test = (value) => {
      if (!INTEGER.test(value)) return false;
      const n = Number(value);
      return n >= start && n < end;
    };
  } else {
    test = stringMatcherPredicate(match.matcher);
  }
  return (headers) => {
    const value = headerValueForMatching(headers, name) ?? missing;
    if (value === undefined) return false;
    return test(value) !== invert;
  };
}

/** All matchers must hold; an empty list always does. */
export function compileHeaderMatchers(matchers: readonly XdsHeaderMatcher[]): HeaderPredicate {
  const compiled = matchers.map(compileHeaderMatcher);
  if (compiled.length === 0) return () => true;
  if (compiled.length === 1) return compiled[0]!;
  return (headers) => {
    for (const p of compiled) if (!p(headers)) return false;
    return true;
  };
}
