// Envoy's route.v3.RouteAction as a plain model: gRFC A28 (cluster, weighted clusters),
// A31 (max_stream_duration timeouts), A42 (hash policies: header, with its regex_rewrite, and
// filter_state io.grpc.channel_id), A44 (retry policy); beyond gRPC, what Shoal's mesh client
// applies: Envoy's prefix_rewrite, regex_rewrite, host_rewrite_literal, request_mirror_policies
// and weighted clusters' header mutations (route-rewrite.ts, request-mirror.ts in @shoal/mesh).
import type {
  RouteAction,
  RouteAction_HashPolicy_Header,
} from '../gen/envoy/config/route/v3/route_components_pb.js';
import type { RegexMatchAndSubstitute } from '../gen/envoy/type/matcher/v3/regex_pb.js';
import { at, index, type Problems } from './decode-result.js';
import { decodeHeaderRules, type XdsHeaderRules } from './header-mutations.js';
import { decodeFilterOverrides, type HttpFilterRegistry, type XdsFilterOverride } from './http-filters.js';
import { compileRe2 } from './regex.js';
import { decodeRetryPolicy, type XdsRetryPolicy } from './retry-policy.js';
import { durationToMs, fractionToPerMillion } from './values.js';

/** One target cluster and its share of traffic. */
export interface XdsClusterWeight {
  readonly name: string;
  readonly weight: number;
  readonly filterOverrides: Readonly<Record<string, XdsFilterOverride>>;
  /** Header mutations of this cluster choice (applied before the route's). */
  readonly headers: XdsHeaderRules;
  /** `host_rewrite_literal`: the `:authority` sent to this cluster. */
  readonly hostRewrite?: string;
}

/** Envoy's RegexMatchAndSubstitute: an RE2 pattern, and its substitution as sent (`\\1` groups). */
export interface XdsRegexRewrite {
  readonly pattern: string;
  readonly substitution: string;
}

/** A shadow copy of the route's calls, sent to `cluster` and never seen by the caller (Envoy). */
export interface XdsMirrorPolicy {
  readonly cluster: string;
  /** Share of calls mirrored, per million (runtime_fraction.default_value; 100% when absent). */
  readonly perMillion: number;
}

/** How a ring-hash or maglev balancer hashes a call (A42). */
export type XdsHashPolicy =
  | {
      readonly kind: 'header';
      /** Lower case. */
      readonly header: string;
      /** Applied to the header's value before hashing: RE2 pattern and substitution, as sent. */
      readonly regexRewrite?: XdsRegexRewrite;
      readonly terminal: boolean;
    }
  /** `filter_state` with key `io.grpc.channel_id`: one hash per client channel. */
  | { readonly kind: 'channel_id'; readonly terminal: boolean };

/** A route that forwards to clusters. */
export interface XdsForwardingAction {
  readonly kind: 'route';
  /** One entry for `cluster`, several for `weighted_clusters`; weights are positive. */
  readonly clusters: readonly XdsClusterWeight[];
  readonly totalWeight: number;
  /** Envoy's `timeout`; gRPC uses max_stream_duration instead (A31). */
  readonly timeoutMs?: number;
  /** `max_stream_duration.max_stream_duration`. */
  readonly maxStreamDurationMs?: number;
  /** `max_stream_duration.grpc_timeout_header_max`: when set, the call's own deadline counts, capped by it. */
  readonly grpcTimeoutHeaderMaxMs?: number;
  readonly retryPolicy?: XdsRetryPolicy;
  readonly hashPolicies: readonly XdsHashPolicy[];
  /** Replaces the matched prefix (the whole path of a path or regex match). */
  readonly prefixRewrite?: string;
  /** RE2 pattern and substitution (`\\1` groups) applied to every match in the path. */
  readonly regexRewrite?: XdsRegexRewrite;
  /** `host_rewrite_literal`: the `:authority` sent. */
  readonly hostRewrite?: string;
  readonly mirrors: readonly XdsMirrorPolicy[];
}

export type XdsRouteAction =
  | XdsForwardingAction
  /** Server side (A36): the call is handled by this server. */
  | { readonly kind: 'non_forwarding' }
  /** Envoy's direct_response: answered by the client itself with this HTTP status (and body). */
  | { readonly kind: 'direct_response'; readonly status: number; readonly body?: string }
  /** redirect or filter_action: a client fails calls on such a route (UNAVAILABLE). */
  | { readonly kind: 'unsupported'; readonly action: string };

const UINT32_MAX = 0xffff_ffff;

/**
 * Decodes a RouteAction. Returns `null` when gRPC would ignore the whole route (a cluster_header or
 * cluster_specifier_plugin action), `undefined` when it is invalid (errors recorded).
 */
export function decodeRouteAction(
  a: RouteAction,
  registry: HttpFilterRegistry,
  path: string,
  problems: Problems,
): XdsForwardingAction | undefined | null {
  const before = problems.errors.length;
  const spec = a.clusterSpecifier;
  const clusters: XdsClusterWeight[] = [];
  switch (spec.case) {
    case 'cluster':
      if (spec.value === '') problems.add(at(path, 'cluster'), 'must not be empty');
      clusters.push({ name: spec.value, weight: 1, filterOverrides: {}, headers: {} });
      break;
    case 'weightedClusters': {
      const p = at(path, 'weighted_clusters');
      spec.value.clusters.forEach((c, i) => {
        const cp = index(at(p, 'clusters'), i);
        if (c.name === '') problems.add(at(cp, 'name'), 'must not be empty');
        const weight = c.weight ?? 0;
        const filterOverrides = decodeFilterOverrides(
          c.typedPerFilterConfig,
          registry,
          at(cp, 'typed_per_filter_config'),
          problems,
        );
        const headers = decodeHeaderRules(c, cp, problems);
        const hostRewrite = c.hostRewriteSpecifier.value;
        if (weight > 0)
          clusters.push({
            name: c.name,
            weight,
            filterOverrides,
            headers,
            ...(hostRewrite && { hostRewrite }),
          });
      });
      const total = clusters.reduce((sum, c) => sum + c.weight, 0);
      if (total === 0) problems.add(at(p, 'clusters'), 'the sum of weights must be greater than 0');
      if (total > UINT32_MAX) problems.add(at(p, 'clusters'), `the sum of weights ${total} exceeds 2^32-1`);
      break;
    }
    case 'clusterHeader':
    case 'clusterSpecifierPlugin':
      return null;
    default:
      problems.add(path, 'cluster_specifier is required (cluster or weighted_clusters)');
  }
  const timeoutMs = durationToMs(a.timeout, at(path, 'timeout'), problems);
  const msd = a.maxStreamDuration;
  const maxStreamDurationMs = durationToMs(
    msd?.maxStreamDuration,
    at(path, 'max_stream_duration.max_stream_duration'),
    problems,
  );
  const grpcTimeoutHeaderMaxMs = durationToMs(
    msd?.grpcTimeoutHeaderMax,
    at(path, 'max_stream_duration.grpc_timeout_header_max'),
    problems,
  );
  const retryPolicy = a.retryPolicy
    ? decodeRetryPolicy(a.retryPolicy, at(path, 'retry_policy'), problems)
    : undefined;
  const hashPolicies: XdsHashPolicy[] = [];
  a.hashPolicy.forEach((h, i) => {
    const hp = index(at(path, 'hash_policy'), i);
    const s = h.policySpecifier;
    // Other hash inputs (cookies, source IP, query parameters) are skipped, as gRPC does.
    if (s.case === 'header') {
      const header = decodeHashHeader(s.value, at(hp, 'header'), problems);
      if (header) hashPolicies.push({ kind: 'header', ...header, terminal: h.terminal });
    } else if (s.case === 'filterState' && s.value.key === 'io.grpc.channel_id') {
      hashPolicies.push({ kind: 'channel_id', terminal: h.terminal });
    }
  });
  const regexRewrite = decodeRegexRewrite(a, path, problems);
  const mirrors = decodeMirrors(a, path, problems);
  const hostRewrite =
    a.hostRewriteSpecifier.case === 'hostRewriteLiteral' ? a.hostRewriteSpecifier.value : '';
  if (problems.errors.length > before) return undefined;
  return {
    kind: 'route',
    clusters,
    totalWeight: clusters.reduce((sum, c) => sum + c.weight, 0),
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(maxStreamDurationMs !== undefined && { maxStreamDurationMs }),
    ...(grpcTimeoutHeaderMaxMs !== undefined && { grpcTimeoutHeaderMaxMs }),
    ...(retryPolicy && { retryPolicy }),
    hashPolicies,
    ...(a.prefixRewrite !== '' && { prefixRewrite: a.prefixRewrite }),
    ...(regexRewrite && { regexRewrite }),
    ...(hostRewrite !== '' && { hostRewrite }),
    mirrors,
  };
}

/** Envoy: at most one of prefix_rewrite and regex_rewrite; the pattern must be valid RE2. */
function decodeRegexRewrite(a: RouteAction, path: string, problems: Problems): XdsRegexRewrite | undefined {
  if (!a.regexRewrite) return undefined;
  const p = at(path, 'regex_rewrite');
  if (a.prefixRewrite !== '') problems.add(p, 'only one of prefix_rewrite and regex_rewrite may be set');
  return decodeRegexMatchAndSubstitute(a.regexRewrite, p, problems);
}

/** A RegexMatchAndSubstitute: its pattern is required and must be valid RE2. */
function decodeRegexMatchAndSubstitute(
  rw: RegexMatchAndSubstitute,
  path: string,
  problems: Problems,
): XdsRegexRewrite | undefined {
  const pattern = rw.pattern?.regex;
  if (pattern === undefined) {
    problems.add(at(path, 'pattern'), 'is required');
    return undefined;
  }
  const re = compileRe2(pattern, true);
  if (typeof re === 'string') {
    problems.add(at(path, 'pattern.regex'), re);
    return undefined;
  }
  return { pattern, substitution: rw.substitution };
}

/** request_mirror_policies: a named cluster each (cluster_header is not supported: an error). */
function decodeMirrors(a: RouteAction, path: string, problems: Problems): XdsMirrorPolicy[] {
  const out: XdsMirrorPolicy[] = [];
  a.requestMirrorPolicies.forEach((m, i) => {
    const p = index(at(path, 'request_mirror_policies'), i);
    if (m.cluster === '') {
      problems.add(
        at(p, 'cluster'),
        m.clusterHeader ? 'cluster_header is not supported' : 'must not be empty',
      );
      return;
    }
    const fraction = fractionToPerMillion(
      m.runtimeFraction?.defaultValue,
      at(p, 'runtime_fraction.default_value'),
      problems,
    );
    out.push({ cluster: m.cluster, perMillion: fraction ?? 1_000_000 });
  });
  return out;
}

/** A42's header hash policy: a header name (Envoy: min_len 1) and an optional regex rewrite. */
function decodeHashHeader(
  h: RouteAction_HashPolicy_Header,
  path: string,
  problems: Problems,
): { header: string; regexRewrite?: XdsRegexRewrite } | undefined {
  if (h.headerName === '') {
    problems.add(at(path, 'header_name'), 'must not be empty');
    return undefined;
  }
  const header = h.headerName.toLowerCase();
  if (!h.regexRewrite) return { header };
  const regexRewrite = decodeRegexMatchAndSubstitute(h.regexRewrite, at(path, 'regex_rewrite'), problems);
  return regexRewrite && { header, regexRewrite };
}
