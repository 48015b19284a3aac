// Authorization on xDS-enabled servers (gRFC A41; Envoy: extensions.filters.http.rbac.v3.RBAC and
// config.rbac.v3). A policy matches when any of its permissions and any of its principals match;
// an ALLOW filter lets through calls that match some policy, a DENY filter stops them.
//
// What a server-side interceptor cannot see is evaluated as "unknown" (three-valued logic), and
// unknown always resolves towards denying: the peer's address (remote_ip), the TLS peer's identity
// on a TLS server (authenticated), the local address on a wildcard listener. On a plaintext server
// `authenticated` is known to be false, as in Istio without mTLS. So a rule Shoal cannot evaluate
// never lets a call through that Envoy would stop.

import { BlockList, isIP } from 'node:net';
import {
  type RbacFilterConfig,
  stringMatcherPredicate,
  type XdsCidr,
  type XdsRbacPermission,
  type XdsRbacPrincipal,
} from '@shoal/xds';
import { compileHeaderMatcher, type HeaderLookup } from '../routing/header-match.js';

/** true, false, or unknown (undefined). */
type Tri = boolean | undefined;

/** What the server knows about where it listens. */
export interface RbacServerFacts {
  /** The local IP, when the listener is bound to one (not a wildcard). */
  readonly localIp: string | undefined;
  readonly localPort: number;
  /** True when connections are TLS (peer identity then exists but is not visible here). */
  readonly tls: boolean;
}

export interface RbacRequest {
  readonly path: string;
  readonly headers: HeaderLookup;
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

function inCidr(ip: string, cidr: XdsCidr): boolean {
  const family = isIP(cidr.address) === 6 ? 'ipv6' : 'ipv4';
  if ((isIP(ip) === 6 ? 'ipv6' : 'ipv4') !== family) return false;
  const list = new BlockList();
  list.addSubnet(cidr.address, cidr.prefixLen, family);
  return list.check(ip, family);
}

const always: Check = () => true;
const never: Check = () => false;
const unknown: Check = () => undefined;

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

function permission(p: XdsRbacPermission, facts: RbacServerFacts): Check {
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
    case 'destination_ip': {
      if (facts.localIp === undefined) return unknown;
      const hit = inCidr(facts.localIp, p.cidr);
      return () => hit;
    }
    case 'destination_port': {
      const hit = p.port === facts.localPort;
      return () => hit;
    }
    case 'destination_port_range': {
      const hit = facts.localPort >= p.start && facts.localPort < p.end;
      return () => hit;
    }
    case 'requested_server_name': {
      const hit = stringMatcherPredicate(p.matcher)('');
      return () => hit;
    }
  }
}

function principal(p: XdsRbacPrincipal, facts: RbacServerFacts): Check {
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
    case 'authenticated':
      return facts.tls ? unknown : never;
    case 'remote_ip':
      return unknown;
  }
}

/** A compiled RBAC filter: says whether a call may go on, and which policy decided. */
export type RbacDecision = { readonly allowed: boolean; readonly policy: string | undefined };
export type RbacEngine = (r: RbacRequest) => RbacDecision;

const allowAll: RbacDecision = { allowed: true, policy: undefined };

export function compileRbac(config: RbacFilterConfig, facts: RbacServerFacts): RbacEngine {
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
