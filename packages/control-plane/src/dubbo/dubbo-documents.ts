// Dubbo's rules as documents Shoal stores. Dubbo writes a rule as bare YAML (`configVersion`,
// `key`, `conditions` | `tags` | `configs`) under its rule name; Shoal reads that as written and
// keeps it as an object `apiVersion: dubbo.apache.org/v1alpha1`, kind ConditionRoute, TagRoute or
// DynamicConfig (the kinds of Dubbo's Kubernetes CRDs), named after the rule. Dubbo's mesh rules
// (`service.dubbo.apache.org/v1alpha1` VirtualService and DestinationRule) become the kinds
// DubboVirtualService and DubboDestinationRule, apart from Istio's kinds of the same names.
// Dubbo: ConditionRuleParser, TagRuleParser, ConfigParser; MeshRuleManager (VsDestinationGroup).

import {
  DUBBO_MESH_API_VERSION,
  DUBBO_RULE_API_VERSION,
  type DubboMeshKind,
  type DubboRuleKind,
  dubboRuleName,
  impliedScope,
} from './rule-names.js';

export const DUBBO_RULE_KINDS: readonly DubboRuleKind[] = ['ConditionRoute', 'TagRoute', 'DynamicConfig'];
export const DUBBO_MESH_KINDS: readonly DubboMeshKind[] = ['DubboVirtualService', 'DubboDestinationRule'];

export function isDubboRuleKind(kind: string): kind is DubboRuleKind {
  return (DUBBO_RULE_KINDS as readonly string[]).includes(kind);
}

export function isDubboKind(kind: string): kind is DubboRuleKind | DubboMeshKind {
  return isDubboRuleKind(kind) || (DUBBO_MESH_KINDS as readonly string[]).includes(kind);
}

export type RecognizedDocument =
  | { readonly doc: Record<string, unknown>; readonly bare: boolean }
  | { readonly error: { readonly path: string; readonly message: string }; readonly document?: string };

/** The field that tells which rule a bare document is. */
const BODY_FIELDS: readonly [string, DubboRuleKind][] = [
  ['conditions', 'ConditionRoute'],
  ['tags', 'TagRoute'],
  ['configs', 'DynamicConfig'],
];

/**
 * A Dubbo document in the form Shoal validates and stores, or undefined when `doc` is not one.
 * Bare rules get their envelope here; their name comes from their scope and key.
 */
export function recognizeDubboDocument(doc: Record<string, unknown>): RecognizedDocument | undefined {
  if (doc.apiVersion === DUBBO_MESH_API_VERSION) {
    if (doc.kind === 'VirtualService') return { doc: { ...doc, kind: 'DubboVirtualService' }, bare: false };
    if (doc.kind === 'DestinationRule') return { doc: { ...doc, kind: 'DubboDestinationRule' }, bare: false };
    return undefined;
  }
  if (doc.kind !== undefined || doc.apiVersion !== undefined) return undefined;
  const found = BODY_FIELDS.filter(([field]) => field in doc);
  const looksDubbo = found.length > 0 || 'configVersion' in doc;
  if (!looksDubbo) return undefined;
  if (found.length !== 1) {
    return {
      error: {
        path: found.length === 0 ? '' : found[1]![0],
        message:
          found.length === 0
            ? 'Required value: a Dubbo rule has "conditions" (condition router), "tags" (tag router) or "configs" (dynamic configuration)'
            : `Invalid value: a Dubbo rule has one of "conditions", "tags" or "configs", not ${found.map(([f]) => `"${f}"`).join(' and ')}`,
      },
    };
  }
  const kind = found[0]![1];
  const key = doc.key;
  if (typeof key !== 'string' || key === '') {
    return {
      error: {
        path: 'key',
        message:
          'Required value: a Dubbo rule applied as bare YAML needs its key (the service or application Dubbo Admin asks for), or write it as ' +
          `apiVersion: ${DUBBO_RULE_API_VERSION}, kind: ${kind}, metadata.name: the rule name, spec: the rule`,
      },
    };
  }
  const scope = doc.scope === 'application' || doc.scope === 'service' ? doc.scope : impliedScope(key);
  return {
    doc: {
      apiVersion: DUBBO_RULE_API_VERSION,
      kind,
      metadata: { name: dubboRuleName(kind, scope, key) },
      spec: doc,
    },
    bare: true,
  };
}
