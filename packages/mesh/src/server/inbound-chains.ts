// Which of an inbound Listener's filter chains serve which connections (gRFC A36, with the TLS
// split Envoy makes): a chain matching `transport_protocol: "tls"` takes TLS connections, and the
// first chain without source or destination conditions (else the default chain, else the first)
// takes the rest. gRPC ignores TLS-matching chains (it cannot tell TLS from plaintext before the
// handshake); Shoal tells them apart by the first bytes, so one port serves Istio's PERMISSIVE mode.
// Chains are chosen once per Listener, not per connection (no filter_chain_match on addresses).

import type { XdsFilterChain, XdsServerListener } from '@shoal/xds/plugins';

export interface InboundChains {
  /** The chain of plaintext connections (also of TLS ones when `tls` is absent). */
  readonly plaintext?: XdsFilterChain;
  /** The chain of TLS connections, when the Listener has one matching transport_protocol "tls". */
  readonly tls?: XdsFilterChain;
}

export function inboundChains(l: XdsServerListener): InboundChains {
  const unconditional = l.filterChains.filter(isUnconditional);
  const tls = unconditional.find((c) => c.match.transportProtocol === 'tls');
  const others = [
    ...unconditional,
    ...(l.defaultFilterChain ? [l.defaultFilterChain] : []),
    ...l.filterChains,
  ];
  const plaintext = others.find((c) => c.match.transportProtocol !== 'tls');
  return { ...(plaintext && { plaintext }), ...(tls && { tls }) };
}

function isUnconditional(c: XdsFilterChain): boolean {
  const m = c.match;
  return (
    m.prefixRanges.length === 0 &&
    m.sourcePrefixRanges.length === 0 &&
    m.sourcePorts.length === 0 &&
    m.sourceType === 'any'
  );
}
