// gRFC A41 xDS RBAC: Envoy's RBAC HTTP filter (extensions.filters.http.rbac.v3) and its policies
// (config.rbac.v3) as plain models, for authorization on xDS-enabled servers. Validation follows
// A41 plus Envoy's own rules for config.rbac.v3 (non-empty permissions, principals and sets).
import {
  type Permission,
  type Principal,
  type RBAC,
  RBAC_Action,
} from '../gen/envoy/config/rbac/v3/rbac_pb.js';
import type { HeaderMatcher } from '../gen/envoy/config/route/v3/route_components_pb.js';
import {
  RBACPerRouteSchema,
  RBACSchema as RbacFilterSchema,
} from '../gen/envoy/extensions/filters/http/rbac/v3/rbac_pb.js';
import type { MetadataMatcher } from '../gen/envoy/type/matcher/v3/metadata_pb.js';
import type { PathMatcher } from '../gen/envoy/type/matcher/v3/path_pb.js';
import { decodeCidr, type XdsCidr } from './cidr.js';
import { at, index, type Problems, parse } from './decode-result.js';
import { decodeHeaderMatcher, type XdsHeaderMatcher } from './header-matcher.js';
import { decodeStringMatcher, type XdsStringMatcher } from './string-matcher.js';

/** What a call does (method path, headers, local address). `never` is Envoy metadata, absent in gRPC. */
export type XdsRbacPermission =
  | { readonly kind: 'any' }
  | { readonly kind: 'never' }
  | { readonly kind: 'and' | 'or'; readonly rules: readonly XdsRbacPermission[] }
  | { readonly kind: 'not'; readonly rule: XdsRbacPermission }
  | { readonly kind: 'header'; readonly matcher: XdsHeaderMatcher }
  /** The full method path, `/pkg.Service/Method`. */
  | { readonly kind: 'path'; readonly matcher: XdsStringMatcher }
  | { readonly kind: 'destination_ip'; readonly cidr: XdsCidr }
  | { readonly kind: 'destination_port'; readonly port: number }
  /** Ports in [start, end). */
  | { readonly kind: 'destination_port_range'; readonly start: number; readonly end: number }
  /** gRPC has no SNI here: matches when the matcher accepts the empty string. */
  | { readonly kind: 'requested_server_name'; readonly matcher: XdsStringMatcher };

/** Who calls (peer identity, peer address, headers). */
export type XdsRbacPrincipal =
  | { readonly kind: 'any' }
  | { readonly kind: 'never' }
  | { readonly kind: 'and' | 'or'; readonly ids: readonly XdsRbacPrincipal[] }
  | { readonly kind: 'not'; readonly id: XdsRbacPrincipal }
  /** TLS peer; with a matcher, its URI SANs, else DNS SANs, else subject must match. */
  | { readonly kind: 'authenticated'; readonly principalName?: XdsStringMatcher }
  /** source_ip, direct_remote_ip and remote_ip all mean the peer address in gRPC. */
  | { readonly kind: 'remote_ip'; readonly cidr: XdsCidr }
  | { readonly kind: 'header'; readonly matcher: XdsHeaderMatcher }
  | { readonly kind: 'path'; readonly matcher: XdsStringMatcher };

/** One named policy: matches when any permission AND any principal match. */
export interface XdsRbacPolicy {
  readonly permissions: readonly XdsRbacPermission[];
  readonly principals: readonly XdsRbacPrincipal[];
}

/** The RBAC filter's config. Without `rules` (or with action LOG) it lets every call through. */
export interface RbacFilterConfig {
  readonly rules?: {
    /** allow: calls matching a policy pass, others are denied; deny: the reverse. */
    readonly action: 'allow' | 'deny';
    readonly policies: Readonly<Record<string, XdsRbacPolicy>>;
  };
}

const MAX_DEPTH = 64;

function tooDeep(depth: number, path: string, problems: Problems): boolean {
  if (depth <= MAX_DEPTH) return false;
  problems.add(path, `nested deeper than ${MAX_DEPTH}`);
  return true;
}

/** Envoy's `repeated = {min_items: 1}` on Policy and on the and/or sets; true when met. */
function notEmpty(items: readonly unknown[], path: string, problems: Problems): boolean {
  if (items.length > 0) return true;
  problems.add(path, 'must have at least one');
  return false;
}

/** The items when every one decoded; undefined when any failed (its problem is recorded). */
function allDecoded<T>(items: (T | undefined)[]): T[] | undefined {
  return items.every((x) => x !== undefined) ? (items as T[]) : undefined;
}

function header(h: HeaderMatcher, path: string, problems: Problems): XdsHeaderMatcher | undefined {
  const name = h.name.toLowerCase();
  if (name.startsWith('grpc-') || name === ':scheme') {
    problems.add(at(path, 'name'), `matching on ${name} is not allowed`);
    return undefined;
  }
  return decodeHeaderMatcher(h, path, problems);
}

function urlPath(p: PathMatcher, path: string, problems: Problems): XdsStringMatcher | undefined {
  if (p.rule.case !== 'path') {
    problems.add(path, 'path is required');
    return undefined;
  }
  return decodeStringMatcher(p.rule.value, at(path, 'path'), problems);
}

/** The rule kinds a Permission and a Principal share, with the same field names and meaning. */
type SharedRule =
  | { case: 'any'; value: boolean }
  | { case: 'header'; value: HeaderMatcher }
  | { case: 'urlPath'; value: PathMatcher }
  | { case: 'metadata'; value: MetadataMatcher };

function sharedRule(
  r: SharedRule,
  path: string,
  problems: Problems,
): Extract<XdsRbacPermission, { kind: 'any' | 'never' | 'header' | 'path' }> | undefined {
  switch (r.case) {
    case 'any':
      return r.value ? { kind: 'any' } : { kind: 'never' };
    case 'header': {
      const matcher = header(r.value, at(path, 'header'), problems);
      return matcher && { kind: 'header', matcher };
    }
    case 'urlPath': {
      const matcher = urlPath(r.value, at(path, 'url_path'), problems);
      return matcher && { kind: 'path', matcher };
    }
    case 'metadata':
      // Envoy metadata never exists in gRPC: a matcher matches only when inverted.
      return r.value.invert ? { kind: 'any' } : { kind: 'never' };
  }
}

function permission(
  p: Permission,
  path: string,
  depth: number,
  problems: Problems,
): XdsRbacPermission | undefined {
  if (tooDeep(depth, path, problems)) return undefined;
  const r = p.rule;
  switch (r.case) {
    case 'any':
    case 'header':
    case 'urlPath':
    case 'metadata':
      return sharedRule(r, path, problems);
    case 'andRules':
    case 'orRules': {
      const field = r.case === 'andRules' ? 'and_rules' : 'or_rules';
      // An empty AND would match every call, an empty OR none: Envoy rejects both.
      if (!notEmpty(r.value.rules, at(path, `${field}.rules`), problems)) return undefined;
      const rules = allDecoded(
        r.value.rules.map((x, i) => permission(x, index(at(path, `${field}.rules`), i), depth + 1, problems)),
      );
      return rules && { kind: r.case === 'andRules' ? 'and' : 'or', rules };
    }
    case 'notRule': {
      const rule = permission(r.value, at(path, 'not_rule'), depth + 1, problems);
      return rule && { kind: 'not', rule };
    }
    case 'destinationIp': {
      const cidr = decodeCidr(r.value, at(path, 'destination_ip'), problems);
      return cidr && { kind: 'destination_ip', cidr };
    }
    case 'destinationPort':
      return { kind: 'destination_port', port: r.value };
    case 'destinationPortRange':
      return { kind: 'destination_port_range', start: r.value.start, end: r.value.end };
    case 'requestedServerName': {
      const matcher = decodeStringMatcher(r.value, at(path, 'requested_server_name'), problems);
      return matcher && { kind: 'requested_server_name', matcher };
    }
    default:
      problems.add(path, 'rule is required (or uses a kind gRPC does not support)');
      return undefined;
  }
}

function principal(
  p: Principal,
  path: string,
  depth: number,
  problems: Problems,
): XdsRbacPrincipal | undefined {
  if (tooDeep(depth, path, problems)) return undefined;
  const r = p.identifier;
  switch (r.case) {
    case 'any':
    case 'header':
    case 'urlPath':
    case 'metadata':
      return sharedRule(r, path, problems);
    case 'andIds':
    case 'orIds': {
      const field = r.case === 'andIds' ? 'and_ids' : 'or_ids';
      if (!notEmpty(r.value.ids, at(path, `${field}.ids`), problems)) return undefined;
      const ids = allDecoded(
        r.value.ids.map((x, i) => principal(x, index(at(path, `${field}.ids`), i), depth + 1, problems)),
      );
      return ids && { kind: r.case === 'andIds' ? 'and' : 'or', ids };
    }
    case 'notId': {
      const id = principal(r.value, at(path, 'not_id'), depth + 1, problems);
      return id && { kind: 'not', id };
    }
    case 'authenticated': {
      if (!r.value.principalName) return { kind: 'authenticated' };
      const m = decodeStringMatcher(
        r.value.principalName,
        at(path, 'authenticated.principal_name'),
        problems,
      );
      return m && { kind: 'authenticated', principalName: m };
    }
    case 'sourceIp':
    case 'directRemoteIp':
    case 'remoteIp': {
      const field =
        r.case === 'sourceIp' ? 'source_ip' : r.case === 'directRemoteIp' ? 'direct_remote_ip' : 'remote_ip';
      const cidr = decodeCidr(r.value, at(path, field), problems);
      return cidr && { kind: 'remote_ip', cidr };
    }
    default:
      problems.add(path, 'identifier is required (or uses a kind gRPC does not support)');
      return undefined;
  }
}

function decodeRules(
  rules: RBAC | undefined,
  path: string,
  problems: Problems,
): RbacFilterConfig | undefined {
  // A41: no rules, or action LOG, means the filter does nothing.
  if (!rules || rules.action === RBAC_Action.LOG) return {};
  if (rules.action !== RBAC_Action.ALLOW && rules.action !== RBAC_Action.DENY) {
    problems.add(at(path, 'action'), `unknown action ${rules.action}`);
    return undefined;
  }
  const before = problems.errors.length;
  const policies: Record<string, XdsRbacPolicy> = {};
  for (const [name, policy] of Object.entries(rules.policies)) {
    const p = index(at(path, 'policies'), name);
    if (policy.condition) problems.add(at(p, 'condition'), 'CEL conditions are not supported');
    if (policy.checkedCondition) problems.add(at(p, 'checked_condition'), 'CEL conditions are not supported');
    // Envoy requires both lists (min_items 1); gRPC would read an empty one as "matches nothing".
    notEmpty(policy.permissions, at(p, 'permissions'), problems);
    notEmpty(policy.principals, at(p, 'principals'), problems);
    const permissions = policy.permissions.map((x, i) =>
      permission(x, index(at(p, 'permissions'), i), 0, problems),
    );
    const principals = policy.principals.map((x, i) =>
      principal(x, index(at(p, 'principals'), i), 0, problems),
    );
    policies[name] = {
      permissions: permissions.filter((x): x is XdsRbacPermission => x !== undefined),
      principals: principals.filter((x): x is XdsRbacPrincipal => x !== undefined),
    };
  }
  if (problems.errors.length > before) return undefined;
  return { rules: { action: rules.action === RBAC_Action.ALLOW ? 'allow' : 'deny', policies } };
}

/** Decodes the RBAC filter's top-level config (serialized RBAC). */
export function decodeRbacFilterConfig(
  bytes: Uint8Array,
  path: string,
  problems: Problems,
): RbacFilterConfig | undefined {
  const rbac = parse(RbacFilterSchema, bytes, path, problems);
  return rbac && decodeRules(rbac.rules, at(path, 'rules'), problems);
}

/** Decodes a per-route override (serialized RBACPerRoute); without `rbac` it disables the filter. */
export function decodeRbacFilterOverride(
  bytes: Uint8Array,
  path: string,
  problems: Problems,
): RbacFilterConfig | undefined {
  const perRoute = parse(RBACPerRouteSchema, bytes, path, problems);
  if (!perRoute) return undefined;
  return decodeRules(perRoute.rbac?.rules, at(path, 'rbac.rules'), problems);
}
