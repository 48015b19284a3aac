// Internal, for tests only: what a call would do under Dubbo's rules, read from what the translator
// sends. The route configuration is decoded by @shoal/xds and matched by @shoal/mesh's RouteTable
// (as a Shoal client matches it, `:dubbo-argument-N` answered from a message); each cluster of the
// chosen route is resolved through the translator's EDS to the instances a client could pick.

import assert from 'node:assert/strict';
import { create, type DescMessage } from '@bufbuild/protobuf';
import { RouteTable, withDubboArguments } from '@shoal/mesh/plugins';
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from '@shoal/xds';
import { decodeClusterLoadAssignment, decodeRouteConfiguration } from '@shoal/xds/plugins';
import type { AnyConfigObject, ConfigObject } from '../src/config/config-object.js';
import { ConfigValidator } from '../src/config/config-validator.js';
import { loadConfigText } from '../src/config/load-config.js';
import type { DubboRules } from '../src/dubbo/dubbo-rule-index.js';
import type { MeshEndpoint, MeshInput } from '../src/translate/mesh-input.js';
import type { Translator } from '../src/translate/translator.js';
import { type ProxyNode, proxyNodeOf } from '../src/xds-server/proxy-node.js';

const validator = new ConfigValidator();

/** Loads rules (YAML); throws on any error. */
export function loadRules(yaml: string): AnyConfigObject[] {
  const r = loadConfigText(yaml, { validator });
  if (r.errors.length > 0) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.objects;
}

export function dubboRulesOf(objects: readonly AnyConfigObject[]): DubboRules {
  const of = <K extends AnyConfigObject['kind']>(kind: K) =>
    objects.filter((o) => o.kind === kind) as unknown as ConfigObject<K>[];
  return {
    conditionRoutes: of('ConditionRoute'),
    tagRoutes: of('TagRoute'),
    dynamicConfigs: of('DynamicConfig'),
    virtualServices: of('DubboVirtualService'),
    destinationRules: of('DubboDestinationRule'),
  };
}

export const PORT = 50051;
export const host = (app: string) => `${app}.default.svc.cluster.local`;
/** An interface of Dubbo's shop sample, `org.apache.dubbo.samples.<name>`, and a method's path on it. */
export const shopInterface = (name: string) => `org.apache.dubbo.samples.${name}`;
export const shopPath = (service: string, method: string) => `/${shopInterface(service)}/${method}`;
/** The address appInput gives its instance N (from 1). */
export const instanceAddress = (n: number) => `10.0.0.${n}:${PORT}`;

/** One app serving `interfaces`, with an endpoint per label set (addresses 10.0.0.1, .2, ...). */
export function appInput(
  app: string,
  interfaces: string[],
  instances: { labels: Record<string, string>; locality?: string; weight?: number }[],
  rules: string,
): MeshInput {
  const objects = loadRules(rules);
  const endpoints: MeshEndpoint[] = instances.map((inst, i) => ({
    hostname: host(app),
    servicePort: PORT,
    address: `10.0.0.${i + 1}`,
    port: PORT,
    labels: inst.labels,
    ...(inst.locality ? { locality: inst.locality } : {}),
    weight: inst.weight ?? 1,
    health: 'HEALTHY',
  }));
  return {
    version: '1',
    services: [
      { hostname: host(app), namespace: 'default', ports: [{ name: 'grpc', number: PORT }], interfaces },
    ],
    endpoints,
    virtualServices: objects.filter((o): o is ConfigObject<'VirtualService'> => o.kind === 'VirtualService'),
    destinationRules: objects.filter(
      (o): o is ConfigObject<'DestinationRule'> => o.kind === 'DestinationRule',
    ),
    interfaces: interfaces.map((i) => ({ interface: i, hostname: host(app), port: PORT })),
    dubbo: dubboRulesOf(objects),
  };
}

/** A consumer: its app, IP and labels as its xDS node announces them. */
export function consumer(
  app: string,
  labels: Record<string, string> = {},
  ip = '10.9.0.1',
  zone?: string,
): ProxyNode {
  return proxyNodeOf({
    id: `${app}-${ip}`,
    metadata: { SHOAL_APP: app, INSTANCE_IPS: ip, SHOAL_LABELS: labels },
    ...(zone
      ? { locality: { region: zone.split('/')[0] ?? '', zone: zone.split('/')[1] ?? '', subZone: '' } }
      : {}),
  });
}

export interface Call {
  path: string;
  headers?: Record<string, string>;
  /** A unary call's message, for arguments[N]. */
  message?: { schema: DescMessage; init?: Record<string, unknown> };
}

export interface Outcome {
  route: string;
  /** Each cluster with its weight and the healthy instances (`ip:port`, weight) it holds. */
  clusters: { cluster: string; weight: number; endpoints: string[] }[];
}

export function callOutcome(t: Translator, listener: string, node: ProxyNode, call: Call): Outcome {
  const built = t.resource(ROUTE_CONFIGURATION_TYPE_URL, listener, node);
  assert.ok(built, `no route configuration ${listener}`);
  const decoded = decodeRouteConfiguration(built.bytes);
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.errors.join('; '));
  const table = new RouteTable(decoded.value.virtualHosts[0]!);
  const lookup = {
    getAll: (k: string) => {
      const v = Object.entries(call.headers ?? {}).find(([name]) => name.toLowerCase() === k)?.[1];
      return v === undefined ? [] : [v];
    },
  };
  const headers = call.message
    ? withDubboArguments(lookup, call.message.schema, create(call.message.schema, call.message.init ?? {}))
    : lookup;
  const entry = table.match(call.path, headers, () => 0.5);
  assert.ok(entry, `no route matches ${call.path}`);
  assert.equal(entry.route.action.kind, 'route');
  const action = entry.route.action as { clusters: readonly { name: string; weight: number }[] };
  return {
    route: entry.name,
    clusters: action.clusters.map((c) => {
      const cla = t.resource(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, c.name, node);
      assert.ok(cla, `no endpoints for ${c.name}`);
      const d = decodeClusterLoadAssignment(cla.bytes);
      assert.ok(d.ok, d.ok ? '' : d.errors.join('; '));
      const endpoints = d.value.localities
        .flatMap((l) => l.endpoints)
        .filter((e) => e.health === 'healthy' || e.health === 'unknown')
        .map((e) => `${e.address.host}:${e.address.port}${e.weight !== 1 ? ` w${e.weight}` : ''}`)
        .sort();
      return { cluster: c.name, weight: c.weight, endpoints };
    }),
  };
}

/** The instances a call can reach (any cluster), sorted. */
export function reachable(t: Translator, listener: string, node: ProxyNode, call: Call): string[] {
  return [...new Set(callOutcome(t, listener, node, call).clusters.flatMap((c) => c.endpoints))].sort();
}
