// AuthorizationPolicy → RBAC HTTP filters for an xDS-enabled server's inbound listener: one DENY
// filter, then one ALLOW filter, as istiod builds them. A request is denied when a DENY policy
// matches, and, when ALLOW policies apply, unless one of them matches (an ALLOW policy without
// rules matches nothing, so it denies all). A rule that needs what proxyless servers cannot check
// (JWT claims, path templates) never matches in an ALLOW policy and drops just that condition in a
// DENY policy: both fail closed. CUSTOM policies (no external authorizer here) deny what they
// match; AUDIT policies are ignored. Policies with targetRef(s) are for waypoints and are skipped.
// A sidecar's TCP chains get the same rules as RBAC network filters (`buildTcpRbacFilters`), where
// HTTP-only conditions (methods, paths, hosts, request principals, `request.*` keys) count as
// unsupported, so fail closed the same way: istiod's TCP authorization.
// Istio: security.v1.AuthorizationPolicy, pilot/pkg/security/authz/builder (buildTCP);
// Envoy: extensions.filters.http.rbac.v3.RBAC, extensions.filters.network.rbac.v3.RBAC; gRFC A41.

import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { envoy } from '@shoal/xds';
import type { ConfigObject } from '../config/config-object.js';
import type { AuthorizationRule } from '../config/security-types.js';
import {
  andPermissions,
  andPrincipals,
  anyPermission,
  anyPrincipal,
  isPrincipalKey,
  notPermission,
  notPrincipal,
  orPermissions,
  orPrincipals,
  permissionFor,
  principalFor,
} from './authz-matchers.js';
import { ROOT_NAMESPACE } from './peer-authentication.js';

export const RBAC_FILTER_NAME = 'envoy.filters.http.rbac';
/** Filter names in one HttpConnectionManager must differ (clients NACK duplicates); istiod's names. */
export const RBAC_DENY_FILTER_NAME = `${RBAC_FILTER_NAME}.DENY`;
export const RBAC_NETWORK_FILTER_NAME = 'envoy.filters.network.rbac';
/** istiod's stat prefix of the RBAC network filter. */
const TCP_STAT_PREFIX = 'tcp.';
/** AuthorizationPolicy fields and condition keys that only an HTTP request has. */
const HTTP_ONLY = new Set(['requestPrincipals', 'methods', 'hosts', 'paths']);
const httpOnly = (key: string) => HTTP_ONLY.has(key) || key.startsWith('request.');

type Policy = ConfigObject<'AuthorizationPolicy'>;

export function applicablePolicies(
  policies: readonly Policy[],
  namespace: string,
  labels: Readonly<Record<string, string>>,
): Policy[] {
  return policies.filter((p) => {
    if (p.spec.targetRef || p.spec.targetRefs?.length) return false;
    if (p.metadata.namespace !== namespace && p.metadata.namespace !== ROOT_NAMESPACE) return false;
    return Object.entries(p.spec.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  });
}

/** The RBAC filters (DENY first, then ALLOW) for a server; empty when no policy applies. */
export function buildRbacFilters(
  policies: readonly Policy[],
  trustDomain = 'cluster.local',
): envoy.HttpFilter[] {
  return buildRules(policies, trustDomain, false).map(({ name, rules }) =>
    create(envoy.HttpFilterSchema, {
      name,
      configType: {
        case: 'typedConfig',
        value: anyPack(envoy.RbacFilterSchema, create(envoy.RbacFilterSchema, { rules })),
      },
    }),
  );
}

/** The RBAC network filters (DENY first, then ALLOW) for a TCP filter chain, under istiod's name. */
export function buildTcpRbacFilters(
  policies: readonly Policy[],
  trustDomain = 'cluster.local',
): envoy.Filter[] {
  return buildRules(policies, trustDomain, true).map(({ rules }) =>
    create(envoy.FilterSchema, {
      name: RBAC_NETWORK_FILTER_NAME,
      configType: {
        case: 'typedConfig',
        value: anyPack(
          envoy.RbacNetworkFilterSchema,
          create(envoy.RbacNetworkFilterSchema, { rules, statPrefix: TCP_STAT_PREFIX }),
        ),
      },
    }),
  );
}

function buildRules(
  policies: readonly Policy[],
  trustDomain: string,
  forTcp: boolean,
): { name: string; rules: envoy.RBAC }[] {
  const deny = new Map<string, envoy.Policy>();
  const allow = new Map<string, envoy.Policy>();
  let anyAllow = false;
  for (const p of policies) {
    const action = p.spec.action ?? 'ALLOW';
    if (action === 'AUDIT') continue;
    const isAllow = action === 'ALLOW';
    if (isAllow) anyAllow = true;
    (p.spec.rules ?? []).forEach((rule, i) => {
      const built = buildPolicy(rule, p.metadata.namespace, isAllow, trustDomain, forTcp);
      const name = `ns[${p.metadata.namespace}]-policy[${p.metadata.name}]-rule[${i}]`;
      if (built) (isAllow ? allow : deny).set(name, built);
    });
  }
  const rules = (action: envoy.RBAC_Action, map: Map<string, envoy.Policy>) =>
    create(envoy.RBACSchema, { action, policies: Object.fromEntries(map) });
  return [
    ...(deny.size > 0 ? [{ name: RBAC_DENY_FILTER_NAME, rules: rules(envoy.RBAC_Action.DENY, deny) }] : []),
    ...(anyAllow ? [{ name: RBAC_FILTER_NAME, rules: rules(envoy.RBAC_Action.ALLOW, allow) }] : []),
  ];
}

const NOT_FIELDS: Record<string, string> = {
  notPrincipals: 'principals',
  notRequestPrincipals: 'requestPrincipals',
  notNamespaces: 'namespaces',
  notIpBlocks: 'ipBlocks',
  notRemoteIpBlocks: 'remoteIpBlocks',
  notServiceAccounts: 'serviceAccounts',
  notMethods: 'methods',
  notHosts: 'hosts',
  notPorts: 'ports',
  notPaths: 'paths',
};

/** Undefined when an ALLOW rule needs something unsupported (it must never match). */
function buildPolicy(
  rule: AuthorizationRule,
  namespace: string,
  isAllow: boolean,
  trustDomain: string,
  forTcp: boolean,
): envoy.Policy | undefined {
  let unsupported = false;
  // Each value becomes a matcher; one that cannot be built (or, on TCP, one that needs HTTP) marks
  // the rule and is left out.
  const collect = <T>(values: readonly string[], make: (v: string) => T | undefined, key: string): T[] => {
    const out: T[] = [];
    for (const v of values) {
      const m = forTcp && httpOnly(key) ? undefined : make(v);
      if (m === undefined) unsupported = true;
      else out.push(m);
    }
    return out;
  };

  const sources = (rule.from ?? []).map((f) => {
    const parts: envoy.Principal[] = [];
    for (const [field, values] of Object.entries(f.source ?? {}) as [string, string[]][]) {
      const negated = NOT_FIELDS[field];
      const matchers = collect(
        values,
        (v) => principalFor(negated ?? field, v, namespace, trustDomain),
        negated ?? field,
      );
      if (matchers.length === 0) continue;
      parts.push(negated ? notPrincipal(orPrincipals(matchers)) : orPrincipals(matchers));
    }
    return andPrincipals(parts);
  });
  const operations = (rule.to ?? []).map((t) => {
    const parts: envoy.Permission[] = [];
    for (const [field, values] of Object.entries(t.operation ?? {}) as [string, string[]][]) {
      const negated = NOT_FIELDS[field];
      const matchers = collect(values, (v) => permissionFor(negated ?? field, v), negated ?? field);
      if (matchers.length === 0) continue;
      parts.push(negated ? notPermission(orPermissions(matchers)) : orPermissions(matchers));
    }
    return andPermissions(parts);
  });
  const whenPrincipals: envoy.Principal[] = [];
  const whenPermissions: envoy.Permission[] = [];
  for (const c of rule.when ?? []) {
    if (isPrincipalKey(c.key)) {
      const yes = collect(c.values ?? [], (v) => principalFor(c.key, v, namespace, trustDomain), c.key);
      const no = collect(c.notValues ?? [], (v) => principalFor(c.key, v, namespace, trustDomain), c.key);
      if (yes.length) whenPrincipals.push(orPrincipals(yes));
      if (no.length) whenPrincipals.push(notPrincipal(orPrincipals(no)));
    } else {
      const yes = collect(c.values ?? [], (v) => permissionFor(c.key, v), c.key);
      const no = collect(c.notValues ?? [], (v) => permissionFor(c.key, v), c.key);
      if (yes.length) whenPermissions.push(orPermissions(yes));
      if (no.length) whenPermissions.push(notPermission(orPermissions(no)));
    }
  }
  if (unsupported && isAllow) return undefined;
  const principal = andPrincipals([
    ...(sources.length ? [orPrincipals(sources)] : [anyPrincipal()]),
    ...whenPrincipals,
  ]);
  const permission = andPermissions([
    ...(operations.length ? [orPermissions(operations)] : [anyPermission()]),
    ...whenPermissions,
  ]);
  return create(envoy.PolicySchema, { principals: [principal], permissions: [permission] });
}
