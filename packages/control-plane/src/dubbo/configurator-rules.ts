// Dubbo's dynamic configuration as rules that take instances out of service: a provider-side
// `disabled: true` ("temporarily kick out an instance" in Dubbo Admin) or `weight: 0`. The
// registry's InstanceHealth asks these rules of every endpoint, beside the instances disabled by
// hand (`shoal instance disable`), so both take an instance out the same way (EDS UNHEALTHY) and
// `shoal instance list` and the console name the rule. The instance comes back when the rule
// changes or is deleted.
// Dubbo: OverrideConfigurator with `disabled` (RegistryDirectory drops disabled invokers).

import type { ConfigStore } from '../config/config-store.js';
import type { InstanceRules, RuleDisable } from '../registry/instance-health.js';
import type { RegistryEndpoint } from '../registry/registry-types.js';
import { configuratorOut } from './configurator-effects.js';
import { DubboRuleIndex } from './dubbo-rule-index.js';

export class ConfiguratorRules implements InstanceRules {
  readonly #store: ConfigStore;
  #index: { version: number; rules: DubboRuleIndex } | undefined;

  constructor(store: ConfigStore) {
    this.#store = store;
  }

  /** The store's version: the configurators can only change with it. */
  get version(): number {
    return this.#store.version;
  }

  disabledBy(endpoint: RegistryEndpoint, interfaces: () => readonly string[]): RuleDisable | undefined {
    const rules = this.#rules();
    if (rules.configItems.length === 0) return undefined;
    const out = configuratorOut(endpoint, rules, interfaces());
    if (!out) return undefined;
    const { namespace, name } = out.rule.metadata;
    return { rule: `DynamicConfig/${namespace}/${name}`, reason: out.reason };
  }

  subscribe(listener: () => void): () => void {
    return this.#store.subscribe((event) => {
      if (event.changes.some((c) => c.kind === 'DynamicConfig')) listener();
    });
  }

  #rules(): DubboRuleIndex {
    const version = this.#store.version;
    if (this.#index?.version !== version) {
      const dynamicConfigs = this.#store.list('DynamicConfig');
      this.#index = {
        version,
        rules: new DubboRuleIndex({
          conditionRoutes: [],
          tagRoutes: [],
          dynamicConfigs,
          virtualServices: [],
          destinationRules: [],
        }),
      };
    }
    return this.#index.rules;
  }
}
