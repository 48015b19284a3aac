// Semantic checks of Dubbo's rules after their shape passed the schema: versions, names and keys,
// condition expressions, tags, configurator items and parameters, each error at its field path.
// Dubbo: ConditionRuleParser (v3.0 / v3.1), ConditionStateRouter.parseRule, TagRuleParser,
// ConfigParser (at least one parameter), AbstractConfigurator (side, addresses).

import type { IssueCollector } from '../config/issues.js';
import { joinPath } from '../config/issues.js';
import {
  checkValuePattern,
  type KeyCondition,
  parseCondition,
  parseConditionSide,
} from './condition-expression.js';
import { classifyRequestKey, providerKeyProblem } from './condition-keys.js';
import { checkIpExpression } from './ip-expression.js';
import {
  type DubboRuleKind,
  dubboRuleName,
  impliedScope,
  parseDubboRuleName,
  parseServiceKey,
} from './rule-names.js';
import type {
  ConditionRouteSpec,
  DubboConfigItem,
  DubboParamMatch,
  DubboStringMatch,
  DynamicConfigSpec,
  MultiDestCondition,
  TagRouteSpec,
} from './rule-types.js';

/** Parameters of a configurator that Shoal translates; others are kept and reported as unused. */
export const CONFIGURATOR_PARAMETERS = ['timeout', 'retries', 'loadbalance', 'weight', 'disabled'] as const;

/** Dubbo's load balancers Shoal maps onto xDS policies. */
export const DUBBO_LOADBALANCERS = [
  'random',
  'roundrobin',
  'leastactive',
  'shortestresponse',
  'p2c',
  'adaptive',
  'consistenthash',
] as const;

/**
 * Checks a Dubbo rule's spec; fills in `key` and `scope` from the rule name when the spec has no
 * key (a rule read from ZooKeeper or written with metadata.name only). Returns the spec to store.
 */
export function validateDubboRule(
  c: IssueCollector,
  kind: DubboRuleKind,
  spec: Record<string, unknown>,
  name: string,
): Record<string, unknown> {
  const out = { ...spec };
  checkKeyAndName(c, kind, out, name);
  if (kind === 'ConditionRoute') validateConditionRoute(c, out as unknown as ConditionRouteSpec);
  else if (kind === 'TagRoute') validateTagRoute(c, out as unknown as TagRouteSpec);
  else validateDynamicConfig(c, out as unknown as DynamicConfigSpec);
  return out;
}

function checkKeyAndName(
  c: IssueCollector,
  kind: DubboRuleKind,
  spec: Record<string, unknown>,
  name: string,
) {
  const key = spec.key as string | undefined;
  if (key === undefined || key === '') {
    const parsed = parseDubboRuleName(name);
    if (!parsed || parsed.kind !== kind) {
      c.invalid(
        'metadata.name',
        name,
        `without spec.key the name must be the Dubbo rule name (<key>${kind === 'ConditionRoute' ? '.condition-router' : kind === 'TagRoute' ? '.tag-router' : '.configurators'})`,
      );
      return;
    }
    spec.key = parsed.key;
    if (spec.scope === undefined && kind !== 'TagRoute') spec.scope = parsed.scope;
    return;
  }
  const scope = (spec.scope as 'service' | 'application' | undefined) ?? impliedScope(key);
  if (spec.scope === undefined && kind !== 'TagRoute') {
    c.warn(
      'spec.scope',
      `not set: key ${JSON.stringify(key)} is read as ${scope === 'service' ? 'a service (interface)' : 'an application'}; set scope to say which`,
    );
    spec.scope = scope;
  }
  if (scope === 'service' && parseServiceKey(key).interface === '')
    c.invalid(
      'spec.key',
      key,
      'a service key is interface, interface:version:group or group/interface:version',
    );
  const expected = dubboRuleName(kind, scope, key);
  if (expected !== name)
    c.invalid(
      'metadata.name',
      name,
      `a ${kind} with ${scope} key ${JSON.stringify(key)} is named ${JSON.stringify(expected)}`,
    );
}

function checkVersion(c: IssueCollector, version: string | undefined, allowed: readonly string[]): void {
  if (version !== undefined && !allowed.includes(version))
    c.error(
      'spec.configVersion',
      `Unsupported value: ${JSON.stringify(version)}: supported values: ${allowed.map((v) => `"${v}"`).join(', ')}`,
    );
}

function validateConditionRoute(c: IssueCollector, spec: ConditionRouteSpec): void {
  checkVersion(c, spec.configVersion, ['v2.7', 'v3.0', 'v3.1']);
  const v31 = spec.configVersion === 'v3.1';
  if (spec.conditions.length === 0) c.required('spec.conditions', 'at least one condition');
  spec.conditions.forEach((condition, i) => {
    const path = joinPath('spec.conditions', i);
    if (v31) validateMultiDest(c, path, condition);
    else if (typeof condition !== 'string')
      c.invalid(
        path,
        condition,
        'a v3.0 condition is a string such as "method=getComment => region=hangzhou" (v3.1 takes {from, to})',
      );
    else {
      try {
        const parsed = parseCondition(condition);
        checkSide(c, path, condition, parsed.when, 'request');
        if (parsed.then) checkSide(c, path, condition, parsed.then, 'provider');
      } catch (err) {
        c.invalid(path, condition, (err as Error).message);
      }
    }
  });
}

function validateMultiDest(c: IssueCollector, path: string, condition: unknown): void {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    c.invalid(path, condition, 'a v3.1 condition is {from: {match}, to: [{match, weight}]}');
    return;
  }
  const { from, to, ...rest } = condition as MultiDestCondition & Record<string, unknown>;
  for (const field of Object.keys(rest)) c.error(joinPath(path, field), 'Unknown field');
  const side = (p: string, text: unknown, which: 'request' | 'provider') => {
    if (text === undefined || text === null) return;
    if (typeof text !== 'string') {
      c.invalid(p, text, 'must be of type string');
      return;
    }
    try {
      checkSide(c, p, text, parseConditionSide(text), which);
    } catch (err) {
      c.invalid(p, text, (err as Error).message);
    }
  };
  if (from !== undefined && from !== null)
    side(joinPath(joinPath(path, 'from'), 'match'), from.match, 'request');
  if (to !== undefined && to !== null && !Array.isArray(to)) {
    c.invalid(joinPath(path, 'to'), to, 'must be a list');
    return;
  }
  to?.forEach((t, j) => {
    const p = joinPath(joinPath(path, 'to'), j);
    side(joinPath(p, 'match'), t.match, 'provider');
    if (t.weight !== undefined && (!Number.isInteger(t.weight) || t.weight < 0))
      c.invalid(
        joinPath(p, 'weight'),
        t.weight,
        'must be a non-negative integer (0 counts as 100, as in Dubbo)',
      );
  });
}

function checkSide(
  c: IssueCollector,
  path: string,
  text: string,
  side: readonly KeyCondition[],
  which: 'request' | 'provider',
): void {
  for (const k of side) {
    if (which === 'request') {
      const key = classifyRequestKey(k.key);
      if ('problem' in key) c.invalid(path, text, key.problem);
      else if (
        (key.kind === 'method' || key.kind === 'interface') &&
        [...k.matches, ...k.mismatches].some((v) => v.includes('~'))
      )
        c.invalid(path, text, `${JSON.stringify(k.key)} is a name: ranges (a~b) apply to numbers`);
    } else {
      const problem = providerKeyProblem(k.key);
      if (problem) c.invalid(path, text, problem);
    }
    for (const value of [...k.matches, ...k.mismatches]) {
      const problem = checkValuePattern(value);
      if (problem) c.invalid(path, text, `${JSON.stringify(value)}: ${problem}`);
      if (which === 'request' && value.startsWith('$'))
        c.warn(
          path,
          `${JSON.stringify(value)}: "$" reads the consumer's parameters right of "=>" only; here it is a literal, as in Dubbo`,
        );
    }
  }
}

export function checkStringMatch(c: IssueCollector, path: string, m: DubboStringMatch): void {
  const set = Object.entries(m).filter(([, v]) => v !== undefined);
  if (set.length !== 1)
    c.error(path, `one of exact, prefix, regex, wildcard, empty, noempty must be set (found ${set.length})`);
  if (m.regex !== undefined) {
    try {
      new RegExp(m.regex);
    } catch (err) {
      c.invalid(joinPath(path, 'regex'), m.regex, (err as Error).message);
    }
  }
}

function checkParamMatches(
  c: IssueCollector,
  path: string,
  params: readonly DubboParamMatch[] | undefined,
): void {
  params?.forEach((p, i) => {
    checkStringMatch(c, joinPath(joinPath(path, i), 'value'), p.value);
  });
}

function checkAddresses(c: IssueCollector, path: string, addresses: readonly string[] | undefined): void {
  addresses?.forEach((a, i) => {
    const problem = checkIpExpression(a);
    if (problem) c.invalid(joinPath(path, i), a, problem);
  });
}

function validateTagRoute(c: IssueCollector, spec: TagRouteSpec): void {
  checkVersion(c, spec.configVersion, ['v2.7', 'v3.0']);
  if (spec.scope === 'service')
    c.invalid('spec.scope', spec.scope, 'a tag rule belongs to the provider application');
  const seen = new Set<string>();
  spec.tags.forEach((tag, i) => {
    const path = joinPath('spec.tags', i);
    if (tag.name === '') c.required(joinPath(path, 'name'));
    if (seen.has(tag.name)) c.duplicate(joinPath(path, 'name'), tag.name);
    seen.add(tag.name);
    if (!tag.match && !tag.addresses)
      c.required(path, 'a tag selects instances by match (v3.0) or addresses');
    if (tag.match && spec.configVersion !== 'v3.0' && !tag.addresses)
      c.warn(
        joinPath(path, 'match'),
        'Dubbo reads match only with configVersion: v3.0; Shoal applies it anyway',
      );
    checkParamMatches(c, joinPath(path, 'match'), tag.match);
    checkAddresses(c, joinPath(path, 'addresses'), tag.addresses);
  });
}

function validateDynamicConfig(c: IssueCollector, spec: DynamicConfigSpec): void {
  checkVersion(c, spec.configVersion, ['v2.7', 'v3.0']);
  if (spec.configs.length === 0) c.required('spec.configs', 'at least one config');
  spec.configs.forEach((item, i) => {
    validateConfigItem(c, joinPath('spec.configs', i), item, spec);
  });
}

function validateConfigItem(
  c: IssueCollector,
  path: string,
  item: DubboConfigItem,
  spec: DynamicConfigSpec,
): void {
  if (item.side === undefined) c.required(joinPath(path, 'side'), 'provider or consumer');
  const params = Object.entries(item.parameters);
  if (params.length === 0)
    c.required(
      joinPath(path, 'parameters'),
      'at least one parameter to change (Dubbo rejects an empty list)',
    );
  const p = (name: string) => joinPath(joinPath(path, 'parameters'), name);
  for (const [name, value] of params) {
    const text = String(value);
    if (name === 'timeout' || name === 'retries' || name === 'weight') {
      if (!/^\d+$/.test(text)) c.invalid(p(name), value, 'must be a non-negative integer');
    } else if (name === 'disabled') {
      if (text !== 'true' && text !== 'false') c.invalid(p(name), value, 'must be true or false');
    } else if (name === 'loadbalance') {
      if (!(DUBBO_LOADBALANCERS as readonly string[]).includes(text))
        c.error(
          p(name),
          `Unsupported value: ${JSON.stringify(text)}: supported values: ${DUBBO_LOADBALANCERS.map((l) => `"${l}"`).join(', ')}`,
        );
    } else {
      c.warn(
        p(name),
        `Shoal does not translate ${JSON.stringify(name)} (it translates ${CONFIGURATOR_PARAMETERS.join(', ')}); it is kept`,
      );
    }
  }
  const restricted =
    (item.addresses ?? []).some((a) => !a.startsWith('0.0.0.0')) || item.match?.address !== undefined;
  if (item.side === 'consumer') {
    for (const name of ['weight', 'disabled'] as const)
      if (item.parameters[name] !== undefined)
        c.warn(
          p(name),
          `${name} acts on provider instances: write it with side: provider (Dubbo ignores it for consumers too)`,
        );
    if (
      item.parameters.loadbalance !== undefined &&
      (restricted || item.applications || item.match?.app || item.match?.application)
    )
      c.warn(p('loadbalance'), 'a load balancer is per service in xDS: Shoal applies it to every consumer');
  }
  checkAddresses(c, joinPath(path, 'addresses'), item.addresses);
  checkAddresses(c, joinPath(path, 'providerAddresses'), item.providerAddresses);
  const m = item.match;
  if (m) {
    for (const field of ['address', 'providerAddress'] as const) {
      const a = m[field];
      if (!a) continue;
      const set = Object.values(a).filter((v) => v !== undefined);
      if (set.length !== 1)
        c.error(joinPath(joinPath(path, 'match'), field), 'one of wildcard, cird, exact must be set');
      if (a.cird !== undefined)
        checkAddresses(c, joinPath(joinPath(joinPath(path, 'match'), field), 'cird'), [a.cird]);
    }
    for (const field of ['service', 'app', 'application'] as const) {
      m[field]?.oneof.forEach((s, i) => {
        checkStringMatch(c, joinPath(joinPath(joinPath(joinPath(path, 'match'), field), 'oneof'), i), s);
      });
    }
    if (m.service && spec.scope === 'service')
      c.warn(
        joinPath(joinPath(path, 'match'), 'service'),
        'a service-scope rule already names its service; match.service applies to application-scope rules',
      );
    checkParamMatches(c, joinPath(joinPath(path, 'match'), 'param'), m.param);
  }
}
