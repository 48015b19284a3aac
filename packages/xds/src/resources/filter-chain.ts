// gRFC A36 xDS-enabled servers (filter chain match rules): Envoy's listener.v3.FilterChain and
// FilterChainMatch as plain models. Each chain holds exactly one filter, an HttpConnectionManager.
// Unlike gRPC, a chain matching `transport_protocol: "tls"` is kept: a Shoal server tells TLS
// from plaintext by the first bytes and serves it TLS connections (Envoy's PERMISSIVE split).
import type { FilterChain } from '../gen/envoy/config/listener/v3/listener_components_pb.js';
import { HTTP_CONNECTION_MANAGER_TYPE_URL } from '../type-urls.js';
import { cidrKey, decodeCidrs, type XdsCidr } from './cidr.js';
import { at, index, type Problems } from './decode-result.js';
import { decodeHttpConnectionManager, type XdsHttpConnectionManager } from './http-connection-manager.js';
import type { HttpFilterRegistry } from './http-filters.js';
import { decodeTransportSocket, type XdsTlsContext } from './tls-context.js';

/** Which connections a filter chain takes. Empty lists match anything. */
export interface XdsFilterChainMatch {
  readonly prefixRanges: readonly XdsCidr[];
  readonly sourceType: 'any' | 'same_ip_or_loopback' | 'external';
  readonly sourcePrefixRanges: readonly XdsCidr[];
  readonly sourcePorts: readonly number[];
  /** `tls` takes TLS connections only, `raw_buffer` plaintext only, `` both. */
  readonly transportProtocol: '' | 'raw_buffer' | 'tls';
}

/** A server filter chain: its match, its HTTP handling and (for mTLS) its TLS context. */
export interface XdsFilterChain {
  readonly name: string;
  readonly match: XdsFilterChainMatch;
  readonly http: XdsHttpConnectionManager;
  readonly tls?: XdsTlsContext;
}

export type { XdsCidr } from './cidr.js';

const SOURCE_TYPES = ['any', 'same_ip_or_loopback', 'external'] as const;

/**
 * Decodes one chain. Returns `null` for a chain that can never be chosen (it matches on
 * destination port, server names, a transport protocol other than raw_buffer or tls, or ALPN),
 * which A36 says to ignore rather than reject.
 */
export function decodeFilterChain(
  fc: FilterChain,
  registry: HttpFilterRegistry,
  path: string,
  problems: Problems,
): XdsFilterChain | undefined | null {
  const before = problems.errors.length;
  const m = fc.filterChainMatch;
  if (
    m &&
    (m.destinationPort !== undefined ||
      m.serverNames.length > 0 ||
      !['', 'raw_buffer', 'tls'].includes(m.transportProtocol) ||
      m.applicationProtocols.length > 0)
  ) {
    return null;
  }
  const mp = at(path, 'filter_chain_match');
  const match: XdsFilterChainMatch = {
    prefixRanges: decodeCidrs(m?.prefixRanges ?? [], at(mp, 'prefix_ranges'), problems),
    sourceType: SOURCE_TYPES[m?.sourceType ?? 0] ?? 'any',
    sourcePrefixRanges: decodeCidrs(m?.sourcePrefixRanges ?? [], at(mp, 'source_prefix_ranges'), problems),
    sourcePorts: [...(m?.sourcePorts ?? [])],
    transportProtocol: (m?.transportProtocol ?? '') as XdsFilterChainMatch['transportProtocol'],
  };
  let http: XdsHttpConnectionManager | undefined;
  const fp = at(path, 'filters');
  if (fc.filters.length !== 1) {
    problems.add(fp, `exactly one filter (the HttpConnectionManager) is required, got ${fc.filters.length}`);
  } else {
    const f = fc.filters[0]!;
    const cfg = f.configType.case === 'typedConfig' ? f.configType.value : undefined;
    if (cfg?.typeUrl !== HTTP_CONNECTION_MANAGER_TYPE_URL) {
      problems.add(at(index(fp, 0), 'typed_config'), `expected ${HTTP_CONNECTION_MANAGER_TYPE_URL}`);
    } else {
      http = decodeHttpConnectionManager(
        cfg.value,
        'server',
        registry,
        at(index(fp, 0), 'typed_config'),
        problems,
      );
    }
  }
  const tls = fc.transportSocket
    ? decodeTransportSocket(fc.transportSocket, 'downstream', at(path, 'transport_socket'), problems)
    : undefined;
  if (problems.errors.length > before || !http) return undefined;
  return { name: fc.name, match, http, ...(tls && { tls }) };
}

/**
 * Every leaf of gRPC's filter-chain lookup tree (destination range × source type × source range ×
 * source port) that a match occupies. Two chains sharing a leaf are ambiguous, which A36 NACKs.
 */
export function filterChainMatchLeaves(m: XdsFilterChainMatch): string[] {
  const dest = m.prefixRanges.length > 0 ? m.prefixRanges.map(cidrKey) : ['*'];
  const sources = m.sourcePrefixRanges.length > 0 ? m.sourcePrefixRanges.map(cidrKey) : ['*'];
  const ports = m.sourcePorts.length > 0 ? m.sourcePorts.map(String) : ['*'];
  return dest.flatMap((d) =>
    sources.flatMap((s) => ports.map((p) => `${d}|${m.sourceType}|${s}|${p}|${m.transportProtocol}`)),
  );
}
