// Dubbo's rules of one config version, looked up the way Dubbo's routers find them: condition
// rules by service key (`iface:version:group`) and by application (the provider's, then the
// consumer's), the tag rule by the provider application, configurators by service key and by
// application. Disabled rules (`enabled: false`) are left out, as Dubbo ignores them.
// Dubbo: ServiceStateRouter, ProviderAppStateRouter, AppStateRouter (ListenableStateRouter),
// TagStateRouter, RegistryDirectory / ServiceDiscoveryRegistryDirectory configurator listeners.

import type { ConfigObject } from '../config/config-object.js';
import { type ConditionExpression, parseCondition, parseConditionSide } from './condition-expression.js';
import { parseServiceKey, type ServiceKey } from './rule-names.js';
import type { ConditionRouteSpec, DubboConfigItem, MultiDestCondition, TagRouteSpec } from './rule-types.js';

/** Dubbo's rules as the translator reads them (MeshInput.dubbo). */
export interface DubboRules {
  conditionRoutes: readonly ConfigObject<'ConditionRoute'>[];
  tagRoutes: readonly ConfigObject<'TagRoute'>[];
  dynamicConfigs: readonly ConfigObject<'DynamicConfig'>[];
  virtualServices: readonly ConfigObject<'DubboVirtualService'>[];
  destinationRules: readonly ConfigObject<'DubboDestinationRule'>[];
}

/** One `to` of a condition: the provider side and its weight (v3.0 conditions have one, weight 100). */
export interface ConditionTarget {
  /** The provider side (`then` of the expression); empty matches every instance (v3.1). */
  readonly providers: ConditionExpression['then'];
  readonly weight: number;
}

/** A condition, parsed: `when` and its targets; `targets` empty rejects every provider. */
export interface ParsedCondition {
  readonly when: ConditionExpression['when'];
  readonly targets: readonly ConditionTarget[];
  /** v3.1: choose one target by weight; v3.0: the one target. */
  readonly multi: boolean;
}

export interface IndexedConditionRule {
  /** `namespace/name`, as dubbo subsets name it. */
  readonly ref: string;
  readonly object: ConfigObject<'ConditionRoute'>;
  readonly force: boolean;
  readonly conditions: readonly ParsedCondition[];
  readonly serviceKey?: ServiceKey;
}

export interface IndexedConfigItem {
  readonly rule: ConfigObject<'DynamicConfig'>;
  readonly item: DubboConfigItem;
  readonly scope: 'service' | 'application';
  readonly serviceKey?: ServiceKey;
  /** The application key of an application-scope rule. */
  readonly app?: string;
}

/** Dubbo: the weight of a v3.1 `to` that has none, or has 0 or less. */
export const DEFAULT_SUBSET_WEIGHT = 100;

export class DubboRuleIndex {
  private readonly conditionsByService = new Map<string, IndexedConditionRule[]>();
  private readonly conditionsByApp = new Map<string, IndexedConditionRule>();
  private readonly conditionsByRef = new Map<string, IndexedConditionRule>();
  private readonly tagsByApp = new Map<string, ConfigObject<'TagRoute'>>();
  private readonly configItemsValue: IndexedConfigItem[] = [];

  constructor(rules: DubboRules | undefined) {
    for (const o of rules?.conditionRoutes ?? []) {
      if (o.spec.enabled === false) continue;
      const indexed = indexCondition(o);
      if (!indexed) continue;
      this.conditionsByRef.set(indexed.ref, indexed);
      if (indexed.serviceKey) {
        const list = this.conditionsByService.get(indexed.serviceKey.interface) ?? [];
        list.push(indexed);
        this.conditionsByService.set(indexed.serviceKey.interface, list);
      } else this.conditionsByApp.set(o.spec.key ?? '', indexed);
    }
    for (const o of rules?.tagRoutes ?? []) {
      if (o.spec.enabled !== false) this.tagsByApp.set(o.spec.key ?? '', o);
    }
    for (const rule of rules?.dynamicConfigs ?? []) {
      if (rule.spec.enabled === false) continue;
      const scope = rule.spec.scope ?? 'service';
      const key = rule.spec.key ?? '';
      for (const item of rule.spec.configs) {
        // Dubbo: an item of a typed config (weight, balancing) has its own switch; others the rule's.
        if (item.type !== undefined && item.type !== 'general' && item.enabled === false) continue;
        this.configItemsValue.push(
          scope === 'service'
            ? { rule, item, scope, serviceKey: parseServiceKey(key) }
            : { rule, item, scope, app: key },
        );
      }
    }
  }

  /**
   * Whether any condition or tag rule is in force: only then do a client's routes depend on who it
   * is (its application, address and locality), and only then must each client get its own.
   */
  get routesByConsumer(): boolean {
    return this.conditionsByRef.size > 0 || this.tagsByApp.size > 0;
  }

  /** Service-scope condition rules for an interface (each with its version and group). */
  serviceConditions(iface: string): readonly IndexedConditionRule[] {
    return this.conditionsByService.get(iface) ?? [];
  }

  /** Every interface some service-scope condition rule names. */
  conditionInterfaces(): string[] {
    return [...this.conditionsByService.keys()];
  }

  appConditions(app: string): IndexedConditionRule | undefined {
    return this.conditionsByApp.get(app);
  }

  conditionByRef(ref: string): IndexedConditionRule | undefined {
    return this.conditionsByRef.get(ref);
  }

  tagRule(app: string): ConfigObject<'TagRoute'> | undefined {
    return this.tagsByApp.get(app);
  }

  get configItems(): readonly IndexedConfigItem[] {
    return this.configItemsValue;
  }

  get empty(): boolean {
    return this.conditionsByRef.size === 0 && this.tagsByApp.size === 0 && this.configItemsValue.length === 0;
  }
}

function indexCondition(o: ConfigObject<'ConditionRoute'>): IndexedConditionRule | undefined {
  const spec: ConditionRouteSpec = o.spec;
  const multi = spec.configVersion === 'v3.1';
  const conditions: ParsedCondition[] = [];
  try {
    for (const c of spec.conditions) {
      if (multi) {
        const m = c as MultiDestCondition;
        const when = m.from?.match ? parseConditionSide(m.from.match) : [];
        const targets = (m.to ?? []).map((t) => ({
          providers: t.match ? parseConditionSide(t.match) : [],
          weight: t.weight && t.weight > 0 ? t.weight : DEFAULT_SUBSET_WEIGHT,
        }));
        conditions.push({ when, targets, multi });
      } else {
        const parsed = parseCondition(c as string);
        conditions.push({
          when: parsed.when,
          targets: parsed.then ? [{ providers: parsed.then, weight: DEFAULT_SUBSET_WEIGHT }] : [],
          multi,
        });
      }
    }
  } catch {
    return undefined; // validated when stored; a rule that no longer parses is left out
  }
  const scope = spec.scope ?? 'service';
  return {
    ref: `${o.metadata.namespace}/${o.metadata.name}`,
    object: o,
    force: spec.force === true,
    conditions,
    ...(scope === 'service' ? { serviceKey: parseServiceKey(spec.key ?? '') } : {}),
  };
}

/** Tag names of a tag rule, longest first (the most specific level of `a|b|c` first). */
export function tagNames(rule: ConfigObject<'TagRoute'> | undefined): string[] {
  return (
    (rule?.spec as TagRouteSpec | undefined)?.tags.map((t) => t.name).sort((a, b) => b.length - a.length) ??
    []
  );
}
