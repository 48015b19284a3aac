// Istio AuthorizationPolicy values → Envoy RBAC principals and permissions, one field at a time.
// Values use Istio's glob forms: `*` (any, present), `prefix*`, `*suffix`, exact.
// Istio: pilot/pkg/security/authz/model (principals get the `spiffe://` prefix; namespaces match
// `.*/ns/<ns>/.*`; source.ip → direct_remote_ip, remote.ip → remote_ip).
// Envoy: config.rbac.v3.Principal, Permission.

import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';

export const SPIFFE = 'spiffe://';

export function globMatcher(value: string): envoy.StringMatcher {
  const S = envoy.StringMatcherSchema;
  if (value === '*') return create(S, { matchPattern: { case: 'safeRegex', value: { regex: '.+' } } });
  if (value.endsWith('*')) return create(S, { matchPattern: { case: 'prefix', value: value.slice(0, -1) } });
  if (value.startsWith('*')) return create(S, { matchPattern: { case: 'suffix', value: value.slice(1) } });
  return create(S, { matchPattern: { case: 'exact', value } });
}

/** `*` stays "any"; anything else is matched with the spiffe:// prefix Istio adds. */
function principalMatcher(value: string): envoy.StringMatcher {
  if (value === '*') return globMatcher('*');
  if (value.startsWith('*')) return globMatcher(value);
  return globMatcher(SPIFFE + value);
}

type PrincipalInit = MessageInitShape<typeof envoy.PrincipalSchema>['identifier'];
type PermissionInit = MessageInitShape<typeof envoy.PermissionSchema>['rule'];
const principal = (identifier: PrincipalInit) => create(envoy.PrincipalSchema, { identifier });
const permission = (rule: PermissionInit) => create(envoy.PermissionSchema, { rule });

export const anyPrincipal = () => principal({ case: 'any', value: true });
export const anyPermission = () => permission({ case: 'any', value: true });

export function orPrincipals(ids: envoy.Principal[]): envoy.Principal {
  return ids.length === 1 ? ids[0]! : principal({ case: 'orIds', value: { ids } });
}
export function andPrincipals(ids: envoy.Principal[]): envoy.Principal {
  if (ids.length === 0) return anyPrincipal();
  return ids.length === 1 ? ids[0]! : principal({ case: 'andIds', value: { ids } });
}
export const notPrincipal = (id: envoy.Principal) => principal({ case: 'notId', value: id });

export function orPermissions(rules: envoy.Permission[]): envoy.Permission {
  return rules.length === 1 ? rules[0]! : permission({ case: 'orRules', value: { rules } });
}
export function andPermissions(rules: envoy.Permission[]): envoy.Permission {
  if (rules.length === 0) return anyPermission();
  return rules.length === 1 ? rules[0]! : permission({ case: 'andRules', value: { rules } });
}
export const notPermission = (p: envoy.Permission) => permission({ case: 'notRule', value: p });

function cidr(value: string): envoy.CidrRange {
  const [address = '', len] = value.split('/');
  const prefixLen = len !== undefined ? Number(len) : address.includes(':') ? 128 : 32;
  return create(envoy.CidrRangeSchema, { addressPrefix: address, prefixLen });
}

/**
 * A header condition in HeaderMatcher's older fields, which every gRPC RBAC implementation reads
 * (string_match came with gRFC A63: C-core's RBAC reads it only since 1.69, grpc-go's not at all).
 * `ignoreCase` (for `:authority`) becomes an RE2 `(?i)` pattern.
 */
function headerMatcher(name: string, value: string, ignoreCase = false): envoy.HeaderMatcher {
  const regex = (regex: string) =>
    ({ case: 'safeRegexMatch', value: create(envoy.RegexMatcherSchema, { regex }) }) as const;
  let spec: envoy.HeaderMatcher['headerMatchSpecifier'];
  if (value === '*') spec = regex('.+');
  else if (ignoreCase) {
    const core = escapeRe2(value.replace(/^\*|\*$/g, ''));
    spec = regex(`(?i)${value.startsWith('*') ? '.*' : ''}${core}${value.endsWith('*') ? '.*' : ''}`);
  } else if (value.endsWith('*')) spec = { case: 'prefixMatch', value: value.slice(0, -1) };
  else if (value.startsWith('*')) spec = { case: 'suffixMatch', value: value.slice(1) };
  else spec = { case: 'exactMatch', value };
  return create(envoy.HeaderMatcherSchema, { name, headerMatchSpecifier: spec });
}

const escapeRe2 = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Principal-side matchers by Istio field / condition key. Undefined: not supported here. */
export function principalFor(
  key: string,
  value: string,
  policyNamespace: string,
  trustDomain = 'cluster.local',
): envoy.Principal | undefined {
  switch (key) {
    case 'principals':
    case 'source.principal':
      return principal({ case: 'authenticated', value: { principalName: principalMatcher(value) } });
    case 'serviceAccounts': {
      const [ns, sa] = value.includes('/') ? value.split('/', 2) : [policyNamespace, value];
      const name = globMatcher(`${SPIFFE}${trustDomain}/ns/${ns}/sa/${sa}`);
      return principal({ case: 'authenticated', value: { principalName: name } });
    }
    case 'namespaces':
    case 'source.namespace': {
      const ns = value === '*' ? '[^/]+' : escapeRe2(value).replaceAll('\\*', '.*');
      const name = create(envoy.StringMatcherSchema, {
        matchPattern: { case: 'safeRegex', value: { regex: `.*/ns/${ns}/.*` } },
      });
      return principal({ case: 'authenticated', value: { principalName: name } });
    }
    case 'ipBlocks':
    case 'source.ip':
      return principal({ case: 'directRemoteIp', value: cidr(value) });
    case 'remoteIpBlocks':
    case 'remote.ip':
      return principal({ case: 'remoteIp', value: cidr(value) });
    default: {
      const header = /^request\.headers\[(.+)\]$/.exec(key);
      if (header) return principal({ case: 'header', value: headerMatcher(header[1]!.toLowerCase(), value) });
      return undefined;
    }
  }
}

/** Permission-side matchers by Istio field / condition key. Undefined: not supported here. */
export function permissionFor(key: string, value: string): envoy.Permission | undefined {
  switch (key) {
    case 'methods':
      return permission({ case: 'header', value: headerMatcher(':method', value) });
    case 'hosts':
      return permission({ case: 'header', value: headerMatcher(':authority', value, true) });
    case 'ports':
    case 'destination.port': {
      const port = Number(value);
      return Number.isInteger(port) ? permission({ case: 'destinationPort', value: port }) : undefined;
    }
    case 'paths':
      // Istio's path templates ({*}, {**}) have no proxyless equivalent.
      if (value.includes('{')) return undefined;
      return permission({ case: 'urlPath', value: { rule: { case: 'path', value: globMatcher(value) } } });
    case 'destination.ip':
      return permission({ case: 'destinationIp', value: cidr(value) });
    case 'connection.sni':
      return permission({ case: 'requestedServerName', value: globMatcher(value) });
    default:
      return undefined;
  }
}

export function isPrincipalKey(key: string): boolean {
  return (
    ['source.principal', 'source.namespace', 'source.ip', 'remote.ip'].includes(key) ||
    /^request\.headers\[.+\]$/.test(key) ||
    key.startsWith('request.auth.')
  );
}
