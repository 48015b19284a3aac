// The routes of one client listener when Dubbo's rules cover its host: the router chain (tag and
// condition routers) and the configurators' timeout and retries, expanded over the questions they
// ask of a request (route-plan.ts) into xDS routes to dubbo subsets with weights.
// Dubbo: RouterChain; RegistryDirectory (configurators override the URL a consumer calls with).

import type { MeshEndpoint } from '../translate/mesh-input.js';
import { globMatches } from './condition-expression.js';
import { consumerItemMatches, providerItemMatches } from './configurator-effects.js';
import { appOfHost } from './dubbo-params.js';
import type { IndexedConfigItem } from './dubbo-rule-index.js';
import { encodeDubboSubset } from './dubbo-subsets.js';
import { type Ask, type Atom, expandDecisions, type RouteMatchParts, routeMatchOf } from './route-plan.js';
import { askHeaderValue, type Branch, type ChainContext, chainApplies, routerChain } from './router-chain.js';

export interface DubboRouteContext extends ChainContext {
  /** The instances of the host and port, with the configurators' weight and health applied. */
  readonly endpoints: readonly MeshEndpoint[];
}

export interface DubboRouteDestination {
  /** The dubbo subset (`dubbo:...`), or '' for all of the host's instances. */
  readonly subset: string;
  readonly weight: number;
}

export interface DubboRoute {
  readonly name: string;
  readonly match: RouteMatchParts;
  readonly destinations: readonly DubboRouteDestination[];
  readonly timeoutMs?: number;
  readonly retries?: number;
}

interface Outcome {
  branches: Branch[];
  timeoutMs?: number;
  retries?: number;
}

/** Weights of xDS weighted clusters: integers with this total. */
const TOTAL_WEIGHT = 10_000;

type RouteParam = 'timeout' | 'retries';

/** Timeout and retries for the call: consumer over provider, service over application (Dubbo's overrides). */
function routeParams(ctx: DubboRouteContext, ask: Ask): { timeoutMs?: number; retries?: number } {
  const providerApp = appOfHost(ctx.host);
  const services = ctx.iface ? [ctx.iface] : ctx.interfaces;
  // A key without version or group names every version and group of its service.
  const inService = (e: IndexedConfigItem) => {
    const key = e.serviceKey!;
    if (!services.includes(key.interface) || !ask({ kind: 'service', glob: key.interface })) return false;
    if (e.item.side === 'provider') return true;
    return (
      (key.version === '' || askHeaderValue(ask, 'tri-service-version', key.version)) &&
      (key.group === '' || askHeaderValue(ask, 'tri-service-group', key.group))
    );
  };
  const rank = (e: IndexedConfigItem) =>
    (e.item.side === 'consumer' ? 2 : 0) + (e.scope === 'service' ? 1 : 0);
  const found: Partial<Record<RouteParam, { rank: number; value: number }>> = {};
  for (const e of ctx.rules.configItems) {
    const params = (['timeout', 'retries'] as const).filter((p) => e.item.parameters[p] !== undefined);
    if (params.length === 0) continue;
    const applies =
      e.item.side === 'provider'
        ? (e.scope === 'application' ? e.app === providerApp : inService(e)) &&
          ctx.endpoints.some((ep) => providerItemMatches(e, ep, ctx.interfaces))
        : consumerItemMatches(e, ctx.consumer) && (e.scope === 'application' || inService(e));
    if (!applies) continue;
    for (const p of params) {
      const r = rank(e);
      if ((found[p]?.rank ?? -1) <= r) found[p] = { rank: r, value: Number(e.item.parameters[p]) };
    }
  }
  // Dubbo: without an override, a consumer calls with the provider URL's own timeout.
  const timeoutMs = found.timeout?.value ?? providerUrlTimeout(ctx.endpoints);
  return {
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(found.retries ? { retries: found.retries.value } : {}),
  };
}

/** The largest `timeout` the instances' provider URLs carry (ZooKeeper's providers), if any. */
function providerUrlTimeout(endpoints: readonly MeshEndpoint[]): number | undefined {
  const values = endpoints.flatMap((ep) => {
    const t = Number(ep.labels.timeout);
    return ep.labels.timeout !== undefined && Number.isInteger(t) && t > 0 ? [t] : [];
  });
  return values.length > 0 ? Math.max(...values) : undefined;
}

function hasRouteParams(ctx: DubboRouteContext): boolean {
  return (
    ctx.rules.configItems.some(
      (e) => e.item.parameters.timeout !== undefined || e.item.parameters.retries !== undefined,
    ) || providerUrlTimeout(ctx.endpoints) !== undefined
  );
}

function destinationsOf(branches: readonly Branch[]): DubboRouteDestination[] {
  const bySubset = new Map<string, number>();
  for (const b of branches) {
    const subset = b.steps.length === 0 ? '' : encodeDubboSubset(b.steps);
    bySubset.set(subset, (bySubset.get(subset) ?? 0) + b.weight);
  }
  const total = [...bySubset.values()].reduce((s, w) => s + w, 0);
  return [...bySubset].map(([subset, w]) => ({
    subset,
    weight: Math.max(1, Math.round((w / total) * TOTAL_WEIGHT)),
  }));
}

const sameOutcome = (a: DubboRoute, b: DubboRoute) =>
  JSON.stringify([a.destinations, a.timeoutMs, a.retries]) ===
  JSON.stringify([b.destinations, b.timeoutMs, b.retries]);

/** The routes Dubbo's rules give this listener and client, or undefined when no rule covers them. */
export function planDubboRoutes(ctx: DubboRouteContext): DubboRoute[] | undefined {
  const usable = ctx.endpoints.filter((ep) => ep.health === undefined || ep.health === 'HEALTHY');
  if (!chainApplies(ctx, usable) && !hasRouteParams(ctx)) return undefined;
  // A listener named after an interface carries calls to that interface only.
  const known = (atom: Atom) =>
    atom.kind === 'service' && ctx.iface !== undefined
      ? globMatches(atom.glob.toLowerCase(), ctx.iface.toLowerCase())
      : undefined;
  const leaves = expandDecisions<Outcome>((ask) => {
    const branches = routerChain(ctx, usable, ask);
    return { branches, ...routeParams(ctx, ask) };
  }, known);
  const routes: DubboRoute[] = [];
  for (const leaf of leaves) {
    const match = routeMatchOf(leaf.yes);
    if (!match) continue;
    routes.push({
      name: `dubbo.${routes.length}`,
      match,
      destinations: destinationsOf(leaf.value.branches),
      ...(leaf.value.timeoutMs !== undefined ? { timeoutMs: leaf.value.timeoutMs } : {}),
      ...(leaf.value.retries !== undefined ? { retries: leaf.value.retries } : {}),
    });
  }
  // One outcome for every request: one route for every path.
  const last = routes[routes.length - 1];
  if (last && routes.every((r) => sameOutcome(r, last)))
    return [{ ...last, name: 'dubbo.0', match: { pathRegex: undefined, headers: [] } }];
  return routes;
}
