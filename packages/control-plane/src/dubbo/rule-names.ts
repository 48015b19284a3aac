// Dubbo's rule names and service keys. A rule is stored under the name Dubbo's config center uses:
// `<app>.condition-router`, `<iface>:<version>:<group>.condition-router`, `<app>.tag-router`,
// `<key>.configurators`, where a service key is written `interface:version:group` (empty parts
// kept, so `org.apache.dubbo.samples.CommentService::`).
// Dubbo: ListenableStateRouter.RULE_SUFFIX, TagStateRouter.RULE_SUFFIX, DynamicConfiguration
// .getRuleKey (URL.getColonSeparatedKey), Dubbo Admin ConvertUtil.getIdFromDTO; the `group/iface:version`
// form is Dubbo's service key (URL.getServiceKey).

export type DubboRuleKind = 'ConditionRoute' | 'TagRoute' | 'DynamicConfig';
export type DubboMeshKind = 'DubboVirtualService' | 'DubboDestinationRule';

/** The apiVersion Shoal writes Dubbo's rules under (Dubbo's Kubernetes CRDs use it). */
export const DUBBO_RULE_API_VERSION = 'dubbo.apache.org/v1alpha1';
/** Dubbo's mesh rules (VirtualService, DestinationRule). */
export const DUBBO_MESH_API_VERSION = 'service.dubbo.apache.org/v1alpha1';

export const RULE_SUFFIXES: Readonly<Record<DubboRuleKind, string>> = {
  ConditionRoute: '.condition-router',
  TagRoute: '.tag-router',
  DynamicConfig: '.configurators',
};

export interface ServiceKey {
  readonly interface: string;
  readonly version: string;
  readonly group: string;
}

/** `iface`, `iface:version:group` (empty parts allowed) or `group/iface:version`. */
export function parseServiceKey(text: string): ServiceKey {
  const slash = text.indexOf('/');
  if (slash > 0) {
    const rest = text.slice(slash + 1);
    const colon = rest.indexOf(':');
    return {
      interface: colon < 0 ? rest : rest.slice(0, colon),
      version: colon < 0 ? '' : rest.slice(colon + 1),
      group: text.slice(0, slash),
    };
  }
  const [iface = '', version = '', group = ''] = text.split(':');
  return { interface: iface, version, group };
}

export function formatServiceKey(key: ServiceKey): string {
  return `${key.interface}:${key.version}:${key.group}`;
}

/** The scope a rule without one is read with: a key with `.`, `:` or `/` names a service. */
export function impliedScope(key: string): 'service' | 'application' {
  return /[.:/]/.test(key) ? 'service' : 'application';
}

/** The name a rule is stored under, from its kind, scope and key. */
export function dubboRuleName(kind: DubboRuleKind, scope: 'service' | 'application', key: string): string {
  const base = kind !== 'TagRoute' && scope === 'service' ? formatServiceKey(parseServiceKey(key)) : key;
  return `${base}${RULE_SUFFIXES[kind]}`;
}

/** A rule name back to its kind, scope and key (ZooKeeper's `/dubbo/config/dubbo/<name>` nodes). */
export function parseDubboRuleName(
  name: string,
): { kind: DubboRuleKind; scope: 'service' | 'application'; key: string } | undefined {
  for (const [kind, suffix] of Object.entries(RULE_SUFFIXES) as [DubboRuleKind, string][]) {
    if (!name.endsWith(suffix) || name.length === suffix.length) continue;
    const key = name.slice(0, -suffix.length);
    const scope = kind !== 'TagRoute' && key.includes(':') ? 'service' : 'application';
    return { kind, scope, key };
  }
  return undefined;
}
