// Dynamic configuration (configurators) turned into what xDS carries. Provider-side `weight`
// changes the instances' EDS weight; `disabled: true` (Dubbo's way to kick one out) and `weight: 0`
// take an instance out of service, which the registry's InstanceHealth applies (UNHEALTHY, with the
// rule as its reason: configurator-rules.ts), as it does for `shoal instance disable`;
// `timeout` and `retries` become the route's timeout and retry policy (a consumer-side item
// overrides a provider-side one, a service-scope one an application-scope one); `loadbalance`
// becomes the cluster's policy. Dubbo's weights are absolute with a default of 100, so once a
// configurator sets a weight on some instances of a host, Shoal's weight 1 counts as 100.
// Dubbo: ConfigParser, AbstractConfigurator.configureIfMatch / isV27ConditionMatchOrUnset,
// ConditionMatch.isMatch, OverrideConfigurator (parameters override the URL), LoadBalance SPI names.

import type { ConfigObject } from '../config/config-object.js';
import type { LoadBalancerSettings } from '../config/networking-types.js';
import type { MeshEndpoint } from '../translate/mesh-input.js';
import { addressMatches, stringMatches } from './dubbo-matches.js';
import { appOfHost, type DubboConsumer, providerParam } from './dubbo-params.js';
import type { DubboRuleIndex, IndexedConfigItem } from './dubbo-rule-index.js';
import { matchIpExpression } from './ip-expression.js';
import type { ServiceKey } from './rule-names.js';
import type { DubboListStringMatch } from './rule-types.js';

/** Dubbo's default instance weight. */
export const DUBBO_DEFAULT_WEIGHT = 100;

const listMatches = (m: DubboListStringMatch | undefined, value: string | undefined) =>
  m === undefined || m.oneof.some((s) => stringMatches(s, value));

function itemAddresses(item: IndexedConfigItem): string[] {
  return item.item.addresses && item.item.addresses.length > 0 ? item.item.addresses : ['0.0.0.0'];
}

/** Whether a service-scope item's key names this service (an empty version or group names any). */
function serviceKeyMatches(key: ServiceKey, iface: string, version?: string, group?: string): boolean {
  return (
    key.interface === iface &&
    (key.version === '' || key.version === (version ?? '')) &&
    (key.group === '' || key.group === (group ?? ''))
  );
}

/** A provider-side item applies to this instance of a host serving `interfaces`. */
export function providerItemMatches(
  entry: IndexedConfigItem,
  ep: MeshEndpoint,
  interfaces: readonly string[],
): boolean {
  const { item } = entry;
  if (item.side !== 'provider') return false;
  const app = providerParam(ep, 'application') ?? '';
  if (entry.scope === 'application') {
    if (entry.app !== app) return false;
    const services = item.services ?? [];
    if (services.length > 0 && !services.includes('*') && !interfaces.some((i) => services.includes(i)))
      return false;
    if (item.match?.service && !interfaces.some((i) => listMatches(item.match?.service, i))) return false;
  } else {
    const key = entry.serviceKey!;
    if (!interfaces.some((i) => serviceKeyMatches(key, i, ep.labels.version, ep.labels.group))) return false;
    if (item.applications && item.applications.length > 0 && !item.applications.includes(app)) return false;
  }
  if (!itemAddresses(entry).some((a) => matchIpExpression(a, ep.address, ep.port))) return false;
  const m = item.match;
  if (!m) return true;
  if (m.address && !addressMatches(m.address, ep.address)) return false;
  if (m.providerAddress && !addressMatches(m.providerAddress, `${ep.address}:${ep.port}`)) return false;
  if (!listMatches(m.app ?? m.application, app)) return false;
  return (m.param ?? []).every((p) => stringMatches(p.value, providerParam(ep, p.key)));
}

/** Provider-side items that set `param`, application scope first: the later one wins (Dubbo's order). */
function providerItems(rules: DubboRuleIndex, param: 'weight' | 'disabled'): IndexedConfigItem[] {
  const items = rules.configItems.filter(
    (e) => e.item.side === 'provider' && e.item.parameters[param] !== undefined,
  );
  return [...items.filter((e) => e.scope === 'application'), ...items.filter((e) => e.scope === 'service')];
}

/** Provider-side weights applied to the instances of a host (weight 0 takes one out: configuratorOut). */
export function configuredEndpoints(
  endpoints: readonly MeshEndpoint[],
  rules: DubboRuleIndex,
  interfaces: readonly string[],
): readonly MeshEndpoint[] {
  const items = providerItems(rules, 'weight');
  if (items.length === 0 || endpoints.length === 0) return endpoints;
  const matched = endpoints.map((ep) => items.filter((e) => providerItemMatches(e, ep, interfaces)));
  if (!matched.some((list) => list.length > 0)) return endpoints;
  return endpoints.map((ep, i) => {
    let weight = ep.origin?.startsWith('zookeeper:') ? ep.weight : (ep.weight ?? 1) * DUBBO_DEFAULT_WEIGHT;
    for (const e of matched[i]!) weight = Number(e.item.parameters.weight);
    // xDS weights are at least 1; a weight-0 instance is out of service instead.
    weight = Math.max(weight ?? 1, 1);
    return weight === ep.weight ? ep : { ...ep, weight };
  });
}

/** What takes an instance out: the last matching `disabled` (when true), else a last `weight` of 0. */
export function configuratorOut(
  ep: MeshEndpoint,
  rules: DubboRuleIndex,
  interfaces: readonly string[],
): { rule: ConfigObject<'DynamicConfig'>; reason: string } | undefined {
  const last = (param: 'weight' | 'disabled') =>
    providerItems(rules, param)
      .filter((e) => providerItemMatches(e, ep, interfaces))
      .at(-1);
  const disabled = last('disabled');
  if (disabled && String(disabled.item.parameters.disabled) === 'true')
    return { rule: disabled.rule, reason: 'disabled: true' };
  // Dubbo sends a weight-0 instance nothing.
  const weight = last('weight');
  if (weight && Number(weight.item.parameters.weight) === 0)
    return { rule: weight.rule, reason: 'weight: 0' };
  return undefined;
}

/**
 * Whether a consumer-side item applies to this consumer; a service-scope item's service is asked
 * of the call by the caller.
 */
export function consumerItemMatches(entry: IndexedConfigItem, consumer: DubboConsumer): boolean {
  const { item } = entry;
  if (item.side !== 'consumer') return false;
  if (entry.scope === 'application' && entry.app !== consumer.app) return false;
  if (item.applications && item.applications.length > 0 && !item.applications.includes(consumer.app ?? ''))
    return false;
  const ip = consumer.ip ?? '';
  if (
    !itemAddresses(entry).some((a) => a.startsWith('0.0.0.0') || (ip !== '' && matchIpExpression(a, ip, 0)))
  )
    return false;
  const m = item.match;
  if (!m) return true;
  if (m.address && !addressMatches(m.address, ip)) return false;
  if (!listMatches(m.app ?? m.application, consumer.app)) return false;
  return (m.param ?? []).every((p) => stringMatches(p.value, consumer.labels[p.key]));
}

/** Dubbo's load balancer names as Istio's load balancer settings. */
export function loadBalancerOf(name: string): LoadBalancerSettings | undefined {
  switch (name) {
    case 'random':
      return { simple: 'RANDOM' };
    case 'roundrobin':
      return { simple: 'ROUND_ROBIN' };
    case 'leastactive':
    case 'shortestresponse':
    case 'p2c':
    case 'adaptive':
      return { simple: 'LEAST_REQUEST' };
    case 'consistenthash':
      return { consistentHash: { ringHash: {} } };
  }
  return undefined;
}

/** The load balancer configurators give a host's clusters (the last matching item wins). */
export function configuredLoadBalancer(
  host: string,
  interfaces: readonly string[],
  rules: DubboRuleIndex,
): LoadBalancerSettings | undefined {
  const app = appOfHost(host);
  let lb: LoadBalancerSettings | undefined;
  const relevant = (e: IndexedConfigItem) =>
    e.scope === 'application' ? e.app === app : interfaces.includes(e.serviceKey!.interface);
  const ordered = [
    ...rules.configItems.filter((e) => e.scope === 'application'),
    ...rules.configItems.filter((e) => e.scope === 'service'),
  ];
  for (const e of ordered) {
    const name = e.item.parameters.loadbalance;
    if (name !== undefined && relevant(e)) lb = loadBalancerOf(String(name)) ?? lb;
  }
  return lb;
}
