// Where a Dubbo rule and an Istio rule cover one service, and which wins (the precedence CONFIG.md
// documents), as warnings on the rule that loses: an Istio VirtualService routes its hosts, so
// Dubbo's condition and tag rules, Dubbo's mesh VirtualService and configurators' timeout and
// retries do not apply to its calls; an Istio DestinationRule wins over Dubbo's, and its load
// balancer over a configurator's `loadbalance`; Dubbo's mesh VirtualService over its condition
// and tag rules. `shoal validate` and the admin API's analysis report them.

import type { AnyConfigObject } from '../config/config-object.js';
import { objectKey } from '../config/config-object.js';
import { DEFAULT_DOMAIN_SUFFIX, hostMatches, resolveShortName } from '../config/hostnames.js';
import type { ConfigIssue } from '../config/issues.js';
import { joinPath } from '../config/issues.js';
import { servicesFromConfig } from '../registry/config-services.js';
import { parseServiceKey } from './rule-names.js';

export interface DubboAnalyzeOptions {
  /** Interface → hosts serving it (the registry's); the config's own annotations are read as well. */
  interfaceHosts?: ReadonlyMap<string, readonly string[]>;
  domainSuffix?: string;
}

export function analyzeDubbo(
  objects: readonly AnyConfigObject[],
  options: DubboAnalyzeOptions = {},
): ConfigIssue[] {
  const suffix = options.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX;
  const byInterface = new Map<string, string[]>();
  for (const [i, hosts] of options.interfaceHosts ?? []) byInterface.set(i, [...hosts]);
  for (const s of servicesFromConfig(objects, suffix).services)
    for (const i of s.interfaces) byInterface.set(i, [...(byInterface.get(i) ?? []), s.hostname]);

  const name = (o: AnyConfigObject) => objectKey(o.kind, o.metadata.namespace, o.metadata.name);
  const warnings: ConfigIssue[] = [];
  const warn = (o: AnyConfigObject, path: string, message: string) =>
    warnings.push({ severity: 'warning', document: name(o), path, message });

  const istioVs = objects.filter((o) => o.kind === 'VirtualService');
  const istioDr = objects.filter((o) => o.kind === 'DestinationRule');
  const dubboVs = objects.filter((o) => o.kind === 'DubboVirtualService');
  const vsFor = (list: readonly AnyConfigObject[], host: string) =>
    list.find((vs) =>
      ((vs.spec as { hosts?: string[] }).hosts ?? []).some((h) =>
        hostMatches(resolveShortName(h, vs.metadata.namespace, suffix), host),
      ),
    );
  const drFor = (host: string) =>
    istioDr.find((dr) =>
      hostMatches(resolveShortName((dr.spec as { host: string }).host, dr.metadata.namespace, suffix), host),
    );
  /** The hosts a Dubbo rule's key covers: its application's, or those serving its interface. */
  const hostsOf = (o: AnyConfigObject, key: string, scope: string | undefined) =>
    scope === 'service'
      ? (byInterface.get(parseServiceKey(key).interface) ?? [])
      : [resolveShortName(key, o.metadata.namespace, suffix)];

  for (const o of objects) {
    if (o.kind === 'ConditionRoute' || o.kind === 'TagRoute') {
      const spec = o.spec as { key?: string; scope?: string };
      for (const host of hostsOf(o, spec.key ?? '', o.kind === 'TagRoute' ? 'application' : spec.scope)) {
        const vs = vsFor(istioVs, host);
        const dvs = vsFor(dubboVs, host);
        if (vs || dvs)
          warn(
            o,
            'spec.key',
            `${host} is routed by ${name((vs ?? dvs)!)}, which takes precedence: this rule does not route its calls`,
          );
      }
    } else if (o.kind === 'DubboVirtualService') {
      o.spec.hosts.forEach((h, i) => {
        const vs = vsFor(istioVs, resolveShortName(h, o.metadata.namespace, suffix));
        if (vs)
          warn(
            o,
            joinPath('spec.hosts', i),
            `also routed by ${name(vs)}: Istio's VirtualService takes precedence`,
          );
      });
    } else if (o.kind === 'DubboDestinationRule') {
      const dr = drFor(resolveShortName(o.spec.host, o.metadata.namespace, suffix));
      if (dr)
        warn(o, 'spec.host', `also configured by ${name(dr)}: Istio's DestinationRule takes precedence`);
    } else if (o.kind === 'DynamicConfig') {
      const spec = o.spec;
      const hosts = hostsOf(o, spec.key ?? '', spec.scope ?? 'service');
      spec.configs.forEach((item, i) => {
        const p = (param: string) => joinPath(joinPath(joinPath('spec.configs', i), 'parameters'), param);
        for (const host of hosts) {
          const dr = drFor(host);
          if (
            item.parameters.loadbalance !== undefined &&
            dr &&
            (dr.spec as { trafficPolicy?: { loadBalancer?: unknown } }).trafficPolicy?.loadBalancer
          )
            warn(
              o,
              p('loadbalance'),
              `${name(dr)} sets the load balancer of ${host}, which takes precedence`,
            );
          const vs = vsFor(istioVs, host);
          for (const param of ['timeout', 'retries'] as const)
            if (item.parameters[param] !== undefined && vs)
              warn(
                o,
                p(param),
                `${host} is routed by ${name(vs)}: its routes carry their own ${param}, not this one`,
              );
        }
      });
    }
  }
  return warnings;
}
