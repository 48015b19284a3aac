// A cluster's policy with the load balancer Dubbo's configurators name, where no DestinationRule
// names one (precedence: a DestinationRule's own loadBalancer wins).
// Dubbo: the `loadbalance` parameter of a configurator (LoadBalance SPI names).

import type { ServiceIndex } from '../translate/service-index.js';
import type { EffectivePolicy } from '../translate/traffic-policy.js';
import { configuredLoadBalancer } from './configurator-effects.js';

export function withConfiguredLoadBalancer(
  policy: EffectivePolicy,
  host: string,
  index: ServiceIndex,
): EffectivePolicy {
  if (policy.loadBalancer || index.dubbo.configItems.length === 0) return policy;
  const loadBalancer = configuredLoadBalancer(host, index.interfacesOf(host), index.dubbo);
  return loadBalancer ? { ...policy, loadBalancer } : policy;
}
