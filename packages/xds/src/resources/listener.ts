// LDS: Envoy's listener.v3.Listener decoded and validated into a plain model. A client listener
// carries an api_listener with an HttpConnectionManager (gRFC A27); a server listener has an
// address and filter chains (gRFC A36).
import type { Any } from '@bufbuild/protobuf/wkt';
import { ListenerSchema } from '../gen/envoy/config/listener/v3/listener_pb.js';
import { HTTP_CONNECTION_MANAGER_TYPE_URL } from '../type-urls.js';
import { at, type DecodeResult, finish, index, Problems, resourceMessage } from './decode-result.js';
import { decodeFilterChain, filterChainMatchLeaves, type XdsFilterChain } from './filter-chain.js';
import { decodeHttpConnectionManager, type XdsHttpConnectionManager } from './http-connection-manager.js';
import { createDefaultHttpFilterRegistry } from './http-filters.js';
import type { HttpDecodeOptions } from './route-configuration.js';
import { decodeSocketAddress, type XdsSocketAddress } from './socket-address.js';

/** A client listener: what a channel to `xds:///name` uses. */
export interface XdsClientListener {
  readonly kind: 'client';
  readonly name: string;
  readonly http: XdsHttpConnectionManager;
}

/** A server listener: the address an xDS-enabled server listens on and its filter chains. */
export interface XdsServerListener {
  readonly kind: 'server';
  readonly name: string;
  readonly address: XdsSocketAddress;
  /** Chains gRPC can choose; chains it must ignore (A36) are left out. */
  readonly filterChains: readonly XdsFilterChain[];
  readonly defaultFilterChain?: XdsFilterChain;
}

/**
 * A decoded Listener: a client listener (an HTTP connection manager) or a server listener (filter chains).
 */
export type XdsListener = XdsClientListener | XdsServerListener;

/** Decodes an LDS resource (an Any or the message bytes). */
export function decodeListener(
  resource: Any | Uint8Array,
  options: HttpDecodeOptions = {},
): DecodeResult<XdsListener> {
  const m = resourceMessage(resource, ListenerSchema);
  if ('failure' in m) return m.failure;
  const l = m.message;
  const problems = new Problems();
  const registry = options.httpFilters ?? createDefaultHttpFilterRegistry();
  if (l.name === '') problems.add('name', 'must not be empty');
  if (l.apiListener) {
    const any = l.apiListener.apiListener;
    const p = 'api_listener.api_listener';
    if (any?.typeUrl !== HTTP_CONNECTION_MANAGER_TYPE_URL) {
      problems.add(p, `expected ${HTTP_CONNECTION_MANAGER_TYPE_URL}, got ${any?.typeUrl || 'nothing'}`);
      return finish(l.name, undefined as never, problems);
    }
    const http = decodeHttpConnectionManager(any.value, 'client', registry, p, problems);
    return finish(l.name, { kind: 'client', name: l.name, http: http! }, problems);
  }
  const address = decodeSocketAddress(l.address, 'address', problems);
  const filterChains: XdsFilterChain[] = [];
  const seen = new Map<string, number>();
  l.filterChains.forEach((fc, i) => {
    const p = index('filter_chains', i);
    const chain = decodeFilterChain(fc, registry, p, problems);
    if (!chain) return;
    const overlaps = new Set<number>();
    for (const leaf of filterChainMatchLeaves(chain.match)) {
      const other = seen.get(leaf);
      if (other !== undefined) overlaps.add(other);
      else seen.set(leaf, i);
    }
    for (const other of overlaps) {
      problems.add(
        at(p, 'filter_chain_match'),
        `overlaps filter_chains[${other}]: a connection could match both`,
      );
    }
    filterChains.push(chain);
  });
  const defaultFilterChain = l.defaultFilterChain
    ? decodeFilterChain(l.defaultFilterChain, registry, 'default_filter_chain', problems)
    : undefined;
  if (filterChains.length === 0 && !defaultFilterChain && problems.empty) {
    problems.add('filter_chains', 'a server listener needs a filter chain or a default_filter_chain');
  }
  return finish(
    l.name,
    {
      kind: 'server',
      name: l.name,
      address: address!,
      filterChains,
      ...(defaultFilterChain && { defaultFilterChain }),
    },
    problems,
  );
}
