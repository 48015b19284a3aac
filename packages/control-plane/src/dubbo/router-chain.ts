// Dubbo's routers in their chain order, applied to the instances of one host for one consumer:
// the tag router, then the condition routers of the service, of the provider application and of
// the consumer application; each filters what the one before left. A request's part of the
// decision is asked through `ask` (route-plan.ts), the rest is known here. The result is a set of
// weighted branches (v3.1 conditions split a set by weight), each with the steps that rebuild it.
// Dubbo: TagStateRouter (order 100), ServiceStateRouter (140), ProviderAppStateRouter (145),
// AppStateRouter (150); ConditionStateRouter.doRoute, MultiDestConditionRouter.doRoute.

import { dubboArgumentHeader } from '@shoal/xds/plugins';
import type { MeshEndpoint } from '../translate/mesh-input.js';
import { type KeyCondition, keyConditionMatches } from './condition-expression.js';
import { classifyRequestKey } from './condition-keys.js';
import { appOfHost, consumerParam, type DubboConsumer } from './dubbo-params.js';
import type { DubboRuleIndex, IndexedConditionRule, ParsedCondition } from './dubbo-rule-index.js';
import { tagNames } from './dubbo-rule-index.js';
import { type DubboStep, inTag, TAG_LABEL, thenMatches } from './dubbo-subsets.js';
import type { Ask } from './route-plan.js';
import type { ServiceKey } from './rule-names.js';

/** A share of the calls and the instances it goes to. */
export interface Branch {
  readonly weight: number;
  readonly steps: readonly DubboStep[];
  /** The instances the steps leave, among the usable ones (for the chain's "is it empty?"). */
  readonly endpoints: readonly MeshEndpoint[];
}

export interface ChainContext {
  readonly host: string;
  /** The interface the client dialled, when it dialled one: the service of every call. */
  readonly iface?: string;
  /** The interfaces the host serves. */
  readonly interfaces: readonly string[];
  readonly consumer: DubboConsumer;
  readonly rules: DubboRuleIndex;
}

export const TAG_HEADER = 'dubbo.tag';
export const FORCE_TAG_HEADER = 'dubbo.force.tag';
const VERSION_HEADER = 'tri-service-version';
const GROUP_HEADER = 'tri-service-group';

const none = (b: Branch): Branch => ({ ...b, steps: [...b.steps, { kind: 'none' }], endpoints: [] });

/** Whether the call asks for `value` of a version or group header ('' meaning none). */
export function askHeaderValue(ask: Ask, header: string, value: string): boolean {
  return value === ''
    ? !ask({ kind: 'present', name: header })
    : ask({ kind: 'header', name: header, match: { kind: 'exact', value } });
}

/** Whether the call is to the service of a service key (Dubbo: the consumer's service key). */
export function askServiceKey(ask: Ask, key: ServiceKey): boolean {
  return (
    ask({ kind: 'service', glob: key.interface }) &&
    askHeaderValue(ask, VERSION_HEADER, key.version) &&
    askHeaderValue(ask, GROUP_HEADER, key.group)
  );
}

/** One request-side key of a condition. */
function requestKeyMatches(k: KeyCondition, ask: Ask, consumer: DubboConsumer): boolean {
  const key = classifyRequestKey(k.key);
  if ('problem' in key) return false;
  if (key.kind === 'consumer')
    return keyConditionMatches(k, consumerParam(consumer, key.param), undefined, true);
  let test: (pattern: string) => boolean;
  if (key.kind === 'method' || key.kind === 'interface') {
    const kind = key.kind === 'method' ? 'method' : 'service';
    test = (glob) => ask({ kind, glob });
  } else {
    // An argument always has a value for Dubbo (String.valueOf); a header may be absent.
    const name = key.kind === 'argument' ? dubboArgumentHeader(key.index) : key.header;
    if (key.kind === 'header' && !ask({ kind: 'present', name })) return false;
    test = (value) => ask({ kind: 'header', name, match: { kind: 'pattern', value } });
  }
  if (k.mismatches.some(test)) return false;
  return k.matches.length === 0 || k.matches.some(test);
}

export function whenMatches(when: readonly KeyCondition[], ask: Ask, consumer: DubboConsumer): boolean {
  return when.every((k) => requestKeyMatches(k, ask, consumer));
}

/** The consumer's values of the `$` parameters a provider side names. */
function boundParams(
  then: readonly KeyCondition[] | undefined,
  consumer: DubboConsumer,
): Record<string, string> {
  const params: Record<string, string> = {};
  for (const k of then ?? []) {
    for (const v of [...k.matches, ...k.mismatches]) {
      if (!v.startsWith('$')) continue;
      const value = consumerParam(consumer, v.slice(1));
      if (value !== undefined) params[v.slice(1)] = value;
    }
  }
  return params;
}

function applyCondition(
  branches: readonly Branch[],
  rule: IndexedConditionRule,
  index: number,
  condition: ParsedCondition,
  ask: Ask,
  consumer: DubboConsumer,
): Branch[] {
  if (branches.every((b) => b.endpoints.length === 0)) return [...branches];
  if (!whenMatches(condition.when, ask, consumer)) return [...branches];
  if (condition.targets.length === 0) return branches.map(none);
  const out: Branch[] = [];
  for (const b of branches) {
    if (b.endpoints.length === 0) {
      out.push(b);
      continue;
    }
    const chosen = condition.targets.flatMap((t, j) => {
      const params = boundParams(t.providers, consumer);
      const endpoints = b.endpoints.filter(
        (ep) =>
          t.providers !== undefined && (t.providers.length === 0 || thenMatches(t.providers, ep, params)),
      );
      return endpoints.length === 0
        ? []
        : [
            {
              weight: t.weight,
              endpoints,
              step: { kind: 'cond', rule: rule.ref, condition: index, target: j, params } as DubboStep,
            },
          ];
    });
    if (chosen.length > 0) {
      const total = chosen.reduce((s, c) => s + c.weight, 0);
      for (const c of chosen)
        out.push({
          weight: (b.weight * c.weight) / total,
          steps: [...b.steps, c.step],
          endpoints: c.endpoints,
        });
    } else out.push(rule.force ? none(b) : b);
  }
  return out;
}

function applyConditionRule(
  branches: Branch[],
  rule: IndexedConditionRule,
  ask: Ask,
  consumer: DubboConsumer,
): Branch[] {
  let out = branches;
  rule.conditions.forEach((c, i) => {
    out = applyCondition(out, rule, i, c, ask, consumer);
  });
  return out;
}

/** The tag router on one set of instances (Dubbo: TagStateRouter.doRoute / filterUsingStaticTag). */
function applyTags(b: Branch, ctx: ChainContext, ask: Ask): Branch {
  const rule = ctx.rules.tagRule(appOfHost(ctx.host));
  const eps = b.endpoints;
  const staticTags = [...new Set(eps.flatMap((ep) => (ep.labels[TAG_LABEL] ? [ep.labels[TAG_LABEL]] : [])))];
  if (!rule && staticTags.length === 0) return b;
  const step = (s: DubboStep, endpoints: readonly MeshEndpoint[]): Branch => ({
    ...b,
    steps: [...b.steps, s],
    endpoints,
  });
  const forceUse = ask({ kind: 'present', name: FORCE_TAG_HEADER })
    ? ask({ kind: 'header', name: FORCE_TAG_HEADER, match: { kind: 'exact', value: 'true' } })
    : consumerParam(ctx.consumer, FORCE_TAG_HEADER) === 'true';
  const tags = rule?.spec.tags ?? [];
  const groups = new Map(tags.map((t) => [t.name, eps.filter((ep) => inTag(t, ep))]));
  // A tag defined by match with no instance has no group (Dubbo: tagnameToAddresses lacks it).
  const hasGroup = (name: string) => {
    const t = tags.find((x) => x.name === name);
    return t !== undefined && ((t.addresses?.length ?? 0) > 0 || (groups.get(name)?.length ?? 0) > 0);
  };
  const known = [...new Set([...tagNames(rule), ...staticTags])].sort((a, c) => c.length - a.length);
  const untagged = () =>
    step(
      { kind: 'untagged' },
      eps.filter((ep) => !ep.labels[TAG_LABEL] && !tags.some((t) => inTag(t, ep))),
    );
  // The requested tag: the call's header, else the consumer's own; `null` for a tag no rule or
  // instance knows (its instances are none).
  let tag: string | null | undefined;
  let group: string | undefined;
  if (ask({ kind: 'present', name: TAG_HEADER })) {
    tag =
      known.find((t) => ask({ kind: 'header', name: TAG_HEADER, match: { kind: 'exact', value: t } })) ??
      null;
    if (tag !== null && hasGroup(tag)) group = tag;
    // Dubbo: `a|b|c` falls back to `a|b`, then `a`, the first level that has a group.
    else if (!forceUse)
      group = known.find(
        (t) =>
          hasGroup(t) && ask({ kind: 'header', name: TAG_HEADER, match: { kind: 'prefix', value: `${t}|` } }),
      );
  } else {
    const own = consumerParam(ctx.consumer, TAG_LABEL);
    if (own) {
      tag = own;
      if (hasGroup(own)) group = own;
    }
  }
  if (tag === undefined && group === undefined) return untagged();
  if (group !== undefined) {
    const members = groups.get(group) ?? [];
    if (members.length > 0 || rule?.spec.force === true)
      return step({ kind: 'tagGroup', tag: group }, members);
    return forceUse ? step({ kind: 'none' }, []) : untagged();
  }
  const statics = tag ? eps.filter((ep) => ep.labels[TAG_LABEL] === tag) : [];
  if (statics.length > 0) return step({ kind: 'staticTag', tag: tag! }, statics);
  return forceUse ? step({ kind: 'none' }, []) : untagged();
}

/** The whole chain for one request (asked through `ask`) on the usable instances of the host. */
export function routerChain(ctx: ChainContext, usable: readonly MeshEndpoint[], ask: Ask): Branch[] {
  let branches: Branch[] = [applyTags({ weight: 1, steps: [], endpoints: usable }, ctx, ask)];
  const services = ctx.iface ? [ctx.iface] : ctx.interfaces;
  for (const iface of services) {
    const rule = ctx.rules.serviceConditions(iface).find((r) => askServiceKey(ask, r.serviceKey!));
    if (rule) {
      branches = applyConditionRule(branches, rule, ask, ctx.consumer);
      break;
    }
  }
  const providerApp = appOfHost(ctx.host);
  const providerRule = ctx.rules.appConditions(providerApp);
  if (providerRule && ctx.consumer.app !== providerApp)
    branches = applyConditionRule(branches, providerRule, ask, ctx.consumer);
  const consumerRule = ctx.consumer.app ? ctx.rules.appConditions(ctx.consumer.app) : undefined;
  if (consumerRule) branches = applyConditionRule(branches, consumerRule, ask, ctx.consumer);
  return branches;
}

/** Whether any router of the chain has something to say about this host for this consumer. */
export function chainApplies(ctx: ChainContext, usable: readonly MeshEndpoint[]): boolean {
  const app = appOfHost(ctx.host);
  const services = ctx.iface ? [ctx.iface] : ctx.interfaces;
  return (
    ctx.rules.tagRule(app) !== undefined ||
    usable.some((ep) => ep.labels[TAG_LABEL]) ||
    services.some((i) => ctx.rules.serviceConditions(i).length > 0) ||
    ctx.rules.appConditions(app) !== undefined ||
    (ctx.consumer.app !== undefined && ctx.rules.appConditions(ctx.consumer.app) !== undefined)
  );
}
