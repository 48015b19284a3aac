// Authorization on xDS-enabled servers (gRFC A41; Envoy: extensions.filters.http.rbac.v3.RBAC and
// config.rbac.v3). A policy matches when any of its permissions and any of its principals match;
// an ALLOW filter lets through calls that match some policy, a DENY filter stops them.
//
// What a server-side interceptor cannot see is evaluated as "unknown" (three-valued logic), and
// unknown always resolves towards denying: the peer's address (remote_ip) and the connection's
// local address on a wildcard listener unless the request carries them. `authenticated` matches
// a connection whose client certificate the handshake verified (mutual TLS); with a
// principal_name, one of its URI SANs (else DNS SANs, else its subject) must match, so Istio's
// `principals`, `source.principal` and `source.namespace` see the caller's SPIFFE ID. Without a
// verified certificate it is known to be false, as in Istio without mTLS. So a rule Shoal cannot
// evaluate never lets a call through that Envoy would stop. Addresses compare as hosts: an
// IPv4-mapped IPv6 address is its IPv4 address.

import { isIP } from 'node:net';
import {
  type RbacFilterConfig,
  stringMatcherPredicate,
  type XdsCidr,
  type XdsRbacPermission,
  type XdsRbacPrincipal,
} from '@shoal/xds/plugins';
import type { ServerFacts } from '../filters/http-filter.js';
import { compileHeaderMatcher, type HeaderLookup } from '../routing/header-match.js';
import type { PeerIdentity } from '../security/peer-identity.js';

/** true, false, or unknown (undefined). */
type Tri = boolean | undefined;

export interface RbacRequest {
  readonly path: string;
  readonly headers: HeaderLookup;
  /** This connection's local IP (socket.localAddress); known even on a wildcard listener. */
  readonly localIp?: string | undefined;
  /** The peer's IP (socket.remoteAddress), for source_ip, direct_remote_ip and remote_ip. */
  readonly remoteIp?: string | undefined;
  /** The verified client certificate's identity; undefined without mutual TLS. */
  readonly peer?: PeerIdentity | undefined;
  /** The TLS server name (SNI) the client sent; undefined or '' without one. */
  readonly serverName?: string | undefined;
}

type Check = (r: RbacRequest) => Tri;

function and(checks: readonly Check[]): Check {
  return (r) => {
    let unknown = false;
    for (const c of checks) {
      const v = c(r);
      if (v === false) return false;
      if (v === undefined) unknown = true;
    }
    return unknown ? undefined : true;
  };
}

function or(checks: readonly Check[]): Check {
  return (r) => {
    let unknown = false;
    for (const c of checks) {
      const v = c(r);
      if (v === true) return true;
      if (v === undefined) unknown = true;
    }
    return unknown ? undefined : false;
  };
}

function not(check: Check): Check {
  return (r) => {
    const v = check(r);
    return v === undefined ? undefined : !v;
  };
}

/** An IP address as bits: 32 wide for IPv4, 128 for IPv6. */
interface IpBits {
  readonly width: 32 | 128;
  readonly bits: bigint;
}

function v4Bits(dotted: string): bigint {
  return dotted.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** The bits of an address as written (a zone such as `%eth0` dropped), or undefined if not an IP. */
function rawBits(address: string): IpBits | undefined {
  const ip = address.split('%')[0] ?? '';
  const family = isIP(ip);
  if (family === 4) return { width: 32, bits: v4Bits(ip) };
  if (family !== 6) return undefined;
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const n = v4Bits(dotted);
    text = `${text.slice(0, -dotted.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return { width: 128, bits: groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n) };
}

/** The top 96 bits of ::ffff:a.b.c.d, an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2). */
const V4_MAPPED = 0xffffn;

/**
 * An address as the host it names: an IPv4-mapped IPv6 address (what node reports for an IPv4
 * peer on a dual-stack listener) is that IPv4 address, as Envoy presents it with ipv4_compat.
 */
function hostBits(address: string): IpBits | undefined {
  const raw = rawBits(address);
  if (raw?.width === 128 && raw.bits >> 32n === V4_MAPPED) return { width: 32, bits: raw.bits & 0xffffffffn };
  return raw;
}

/**
 * A predicate for one range. An IPv4 range matches IPv4 and IPv4-mapped addresses; a range inside
 * ::ffff:0:0/96 is the IPv4 range it maps; any other IPv6 range matches only IPv6 hosts, so
 * `::/0` never lets an IPv4 peer through by accident.
 */
function cidrMatcher(cidr: XdsCidr): (address: string) => Tri {
  const raw = rawBits(cidr.address);
  if (raw === undefined) return () => false; // the decoder accepts only IPs; kept total anyway
  let range = raw;
  let prefixLen = cidr.prefixLen;
  if (raw.width === 128 && prefixLen >= 96 && raw.bits >> 32n === V4_MAPPED) {
    range = { width: 32, bits: raw.bits & 0xffffffffn };
    prefixLen -= 96;
  }
  const shift = BigInt(range.width - prefixLen);
  const network = range.bits >> shift;
  return (address) => {
    const host = hostBits(address);
    // An address that is no IP (a unix socket peer) is unknown, so a DENY rule still holds.
    if (host === undefined) return undefined;
    return host.width === range.width && host.bits >> shift === network;
  };
}

/** A check on an address the call may know (per connection) or the server may (per listener). */
function addressCheck(
  inRange: (address: string) => Tri,
  address: (r: RbacRequest) => string | undefined,
): Check {
  return (r) => {
    const ip = address(r);
    return ip === undefined ? undefined : inRange(ip);
  };
}

const always: Check = () => true;
const never: Check = () => false;

/** The rule kinds permissions and principals share: they check the call the same way. */
type SharedRule = Extract<
  XdsRbacPermission | XdsRbacPrincipal,
  { kind: 'any' | 'never' | 'header' | 'path' }
>;

function sharedRule(p: SharedRule): Check {
  switch (p.kind) {
    case 'any':
      return always;
    case 'never':
      return never;
    case 'header': {
      const m = compileHeaderMatcher(p.matcher);
      return (r) => m(r.headers);
    }
    case 'path': {
      const m = stringMatcherPredicate(p.matcher);
      return (r) => m(r.path);
    }
  }
}

function permission(p: XdsRbacPermission, facts: ServerFacts): Check {
  switch (p.kind) {
    case 'any':
    case 'never':
    case 'header':
    case 'path':
      return sharedRule(p);
    case 'and':
      return and(p.rules.map((x) => permission(x, facts)));
    case 'or':
      return or(p.rules.map((x) => permission(x, facts)));
    case 'not':
      return not(permission(p.rule, facts));
    case 'destination_ip':
      return addressCheck(cidrMatcher(p.cidr), (r) => r.localIp ?? facts.localIp);
    case 'destination_port': {
      const hit = p.port === facts.localPort;
      return () => hit;
    }
    case 'destination_port_range': {
      const hit = facts.localPort >= p.start && facts.localPort < p.end;
      return () => hit;
    }
    case 'requested_server_name': {
      // Envoy matches the TLS SNI, '' for plaintext or a client that sent none.
      const matches = stringMatcherPredicate(p.matcher);
      return (r) => matches(r.serverName ?? '');
    }
  }
}

function principal(p: XdsRbacPrincipal, facts: ServerFacts): Check {
  switch (p.kind) {
    case 'any':
    case 'never':
    case 'header':
    case 'path':
      return sharedRule(p);
    case 'and':
      return and(p.ids.map((x) => principal(x, facts)));
    case 'or':
      return or(p.ids.map((x) => principal(x, facts)));
    case 'not':
      return not(principal(p.id, facts));
    case 'authenticated': {
      const name = p.principalName && stringMatcherPredicate(p.principalName);
      return (r) => {
        const peer = r.peer;
        if (peer === undefined) return false;
        return name === undefined || peer.principals.some(name);
      };
    }
    case 'remote_ip':
      return addressCheck(cidrMatcher(p.cidr), (r) => r.remoteIp);
  }
}

/** A compiled RBAC filter: says whether a call may go on, and which policy decided. */
export type RbacDecision = { readonly allowed: boolean; readonly policy: string | undefined };
export type RbacEngine = (r: RbacRequest) => RbacDecision;

const allowAll: RbacDecision = { allowed: true, policy: undefined };

export function compileRbac(config: RbacFilterConfig, facts: ServerFacts): RbacEngine {
  const rules = config.rules;
  if (rules === undefined) return () => allowAll;
  const policies = Object.entries(rules.policies).map(([name, p]) => ({
    name,
    check: and([
      or(p.permissions.map((x) => permission(x, facts))),
      or(p.principals.map((x) => principal(x, facts))),
    ]),
  }));
  if (rules.action === 'allow') {
    // Unknown counts as no match: only a policy known to match lets the call through.
    return (r) => {
      for (const p of policies) if (p.check(r) === true) return { allowed: true, policy: p.name };
      return { allowed: false, policy: undefined };
    };
  }
  // DENY: unknown counts as a match, so the call is stopped.
  return (r) => {
    for (const p of policies) if (p.check(r) !== false) return { allowed: false, policy: p.name };
    return allowAll;
  };
}
