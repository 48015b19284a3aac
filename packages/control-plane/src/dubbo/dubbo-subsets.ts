// The provider subsets Dubbo's routers choose, as xDS cluster subsets. A subset is the list of
// filters the routers applied on the way (a tag group, untagged instances, a condition's provider
// side with the consumer's `$` values, or nothing at all), written into the subset part of the
// cluster name so that CDS and EDS rebuild it from the name alone, in any config version:
// `outbound|50051|dubbo:tag(gray);cond(default/svc::.condition-router,0,0,region=hangzhou)|host`.
// Dubbo: TagStateRouter (dynamic and static tags, untagged failover), ConditionStateRouter and
// MultiDestConditionRouter (matchThen with the consumer URL as `$` parameters).

import type { MeshEndpoint } from '../translate/mesh-input.js';
import { type KeyCondition, keyConditionMatches } from './condition-expression.js';
import { stringMatches } from './dubbo-matches.js';
import { appOfHost, providerParam } from './dubbo-params.js';
import type { DubboRuleIndex } from './dubbo-rule-index.js';
import { matchIpExpression } from './ip-expression.js';
import type { DubboTag } from './rule-types.js';

export type DubboStep =
  /** The instances of a tag of the provider app's tag rule. */
  | { readonly kind: 'tagGroup'; readonly tag: string }
  /** Instances carrying the tag as their own `dubbo.tag` label. */
  | { readonly kind: 'staticTag'; readonly tag: string }
  /** Instances in no tag group and without a `dubbo.tag` label. */
  | { readonly kind: 'untagged' }
  /** No instance (a rejecting rule, or an empty result with force). */
  | { readonly kind: 'none' }
  /** Condition `condition` of rule `rule` (`namespace/name`), its target `target`, with `$` values. */
  | {
      readonly kind: 'cond';
      readonly rule: string;
      readonly condition: number;
      readonly target: number;
      readonly params: Readonly<Record<string, string>>;
    };

export const DUBBO_SUBSET_PREFIX = 'dubbo:';
/** The label that carries an instance's own tag (Dubbo: the provider URL's `dubbo.tag`). */
export const TAG_LABEL = 'dubbo.tag';

const esc = (s: string) =>
  s.replace(/[%|;(),=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
const unesc = (s: string) => decodeURIComponent(s);

export function encodeDubboSubset(steps: readonly DubboStep[]): string {
  return DUBBO_SUBSET_PREFIX + steps.map(encodeStep).join(';');
}

function encodeStep(step: DubboStep): string {
  switch (step.kind) {
    case 'tagGroup':
      return `tag(${esc(step.tag)})`;
    case 'staticTag':
      return `static-tag(${esc(step.tag)})`;
    case 'untagged':
    case 'none':
      return step.kind;
    case 'cond': {
      const params = Object.entries(step.params)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `,${esc(k)}=${esc(v)}`)
        .join('');
      return `cond(${esc(step.rule)},${step.condition},${step.target}${params})`;
    }
  }
}

export function isDubboSubset(subset: string): boolean {
  return subset.startsWith(DUBBO_SUBSET_PREFIX);
}

/** The steps of a subset name, or undefined when it is not one Shoal wrote. */
export function decodeDubboSubset(subset: string): DubboStep[] | undefined {
  if (!isDubboSubset(subset)) return undefined;
  const body = subset.slice(DUBBO_SUBSET_PREFIX.length);
  if (body === '') return [];
  const steps: DubboStep[] = [];
  for (const part of body.split(';')) {
    const m = /^([a-z-]+)(?:\((.*)\))?$/.exec(part);
    if (!m) return undefined;
    const args = m[2] === undefined ? [] : m[2].split(',');
    try {
      switch (m[1]) {
        case 'tag':
          steps.push({ kind: 'tagGroup', tag: unesc(args[0] ?? '') });
          break;
        case 'static-tag':
          steps.push({ kind: 'staticTag', tag: unesc(args[0] ?? '') });
          break;
        case 'untagged':
        case 'none':
          steps.push({ kind: m[1] });
          break;
        case 'cond': {
          const [rule = '', condition = '', target = '', ...rest] = args;
          const params: Record<string, string> = {};
          for (const kv of rest) {
            const eq = kv.indexOf('=');
            if (eq < 0) return undefined;
            params[unesc(kv.slice(0, eq))] = unesc(kv.slice(eq + 1));
          }
          if (!/^\d+$/.test(condition) || !/^\d+$/.test(target)) return undefined;
          steps.push({
            kind: 'cond',
            rule: unesc(rule),
            condition: Number(condition),
            target: Number(target),
            params,
          });
          break;
        }
        default:
          return undefined;
      }
    } catch {
      return undefined;
    }
  }
  return steps;
}

/** Whether an instance belongs to a tag of a tag rule (its addresses, else its match). */
export function inTag(tag: DubboTag, ep: MeshEndpoint): boolean {
  if (tag.addresses && tag.addresses.length > 0)
    return tag.addresses.some((a) => matchIpExpression(a, ep.address, ep.port));
  if (tag.match) return tag.match.every((m) => stringMatches(m.value, providerParam(ep, m.key)));
  return false;
}

/** Provider-side conditions with the consumer's `$` values; `undefined` matches nothing. */
export function thenMatches(
  then: readonly KeyCondition[] | undefined,
  ep: MeshEndpoint,
  params: Readonly<Record<string, string>>,
): boolean {
  if (!then) return false;
  const lookup = (name: string) => params[name];
  return then.every((k) => keyConditionMatches(k, providerParam(ep, k.key), lookup));
}

/** Applies one step to a list of instances of `host`. */
export function applyStep(
  step: DubboStep,
  endpoints: readonly MeshEndpoint[],
  rules: DubboRuleIndex,
  host: string,
): MeshEndpoint[] {
  switch (step.kind) {
    case 'none':
      return [];
    case 'staticTag':
      return endpoints.filter((ep) => ep.labels[TAG_LABEL] === step.tag);
    case 'tagGroup': {
      const tag = rules.tagRule(appOfHost(host))?.spec.tags.find((t) => t.name === step.tag);
      return tag ? endpoints.filter((ep) => inTag(tag, ep)) : [];
    }
    case 'untagged': {
      const tags = rules.tagRule(appOfHost(host))?.spec.tags ?? [];
      return endpoints.filter((ep) => !ep.labels[TAG_LABEL] && !tags.some((t) => inTag(t, ep)));
    }
    case 'cond': {
      const target = rules.conditionByRef(step.rule)?.conditions[step.condition]?.targets[step.target];
      return target
        ? endpoints.filter(
            (ep) => target.providers?.length === 0 || thenMatches(target.providers, ep, step.params),
          )
        : [];
    }
  }
}

/** The instances of a dubbo subset. */
export function dubboSubsetEndpoints(
  steps: readonly DubboStep[],
  endpoints: readonly MeshEndpoint[],
  rules: DubboRuleIndex,
  host: string,
): MeshEndpoint[] {
  let out = [...endpoints];
  for (const step of steps) out = applyStep(step, out, rules, host);
  return out;
}
