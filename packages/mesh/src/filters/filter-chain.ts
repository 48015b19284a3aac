// The HTTP filters that run for one route (gRFC A39): each filter of the listener's chain, built
// by its plug-in with the override that applies there. The most specific override wins: the
// weighted cluster's typed_per_filter_config, then the route's, then the virtual host's, and
// without one the listener's config alone; a disabled override turns the filter off there, and a
// filter disabled in the listener runs only where an override enables it. Built once per route
// (and cluster) of a config, run per call, in listener order, the router last.

import type { CallResponse } from '@shoal/rpc/client';
import type { XdsFilterOverride, XdsHttpFilter } from '@shoal/xds/plugins';
import type {
  FilterCall,
  FilterContext,
  FilterInterceptor,
  HttpFilterPlugin,
  HttpFilterPlugins,
  ServerFilterContext,
} from './http-filter.js';

/** typed_per_filter_config maps, most specific first. */
export type FilterOverrides = readonly Readonly<Record<string, XdsFilterOverride>>[];

type Build = (plugin: HttpFilterPlugin, f: XdsHttpFilter, override: unknown) => FilterInterceptor | undefined;

const none: readonly FilterInterceptor[] = [];

/** A client's filters for a route; a string says why calls on it cannot be filtered. */
export function clientFilterChain(
  filters: readonly XdsHttpFilter[],
  overrides: FilterOverrides,
  plugins: HttpFilterPlugins,
  context: Omit<FilterContext, 'name'>,
): readonly FilterInterceptor[] | string {
  return buildChain('client', filters, overrides, plugins, (plugin, f, override) =>
    plugin.buildClientInterceptor?.(f.config, override, { ...context, name: f.name }),
  );
}

/** A server's filters for a route; a string says why calls on it cannot be filtered. */
export function serverFilterChain(
  filters: readonly XdsHttpFilter[],
  overrides: FilterOverrides,
  plugins: HttpFilterPlugins,
  context: Omit<ServerFilterContext, 'name'>,
): readonly FilterInterceptor[] | string {
  return buildChain('server', filters, overrides, plugins, (plugin, f, override) =>
    plugin.buildServerInterceptor?.(f.config, override, { ...context, name: f.name }),
  );
}

function buildChain(
  side: 'client' | 'server',
  filters: readonly XdsHttpFilter[],
  overrides: FilterOverrides,
  plugins: HttpFilterPlugins,
  build: Build,
): readonly FilterInterceptor[] | string {
  let chain: FilterInterceptor[] | undefined;
  for (const f of filters) {
    const plugin = plugins.get(f.typeUrl);
    // The decoder knew the type (its XdsClient was made with another registry): fail closed.
    if (plugin === undefined)
      return `HTTP filter ${JSON.stringify(f.name)} (${f.typeUrl}) has no plug-in in this ${side}'s filter registry`;
    let override: XdsFilterOverride | undefined;
    for (const level of overrides) {
      override = level[f.name];
      if (override !== undefined) break;
    }
    if (override?.disabled || (override === undefined && f.disabled)) continue;
    if (override !== undefined && override.typeUrl !== (plugin.overrideTypeUrl ?? plugin.typeUrl))
      return `the override of HTTP filter ${JSON.stringify(f.name)} is a ${override.typeUrl}, not a ${plugin.overrideTypeUrl ?? plugin.typeUrl}`;
    const interceptor = build(plugin, f, override?.config);
    if (interceptor !== undefined) (chain ??= []).push(interceptor);
  }
  return chain ?? none;
}

/** Runs a call through `filters`, then `last` (the router's work). */
export function runFilters(
  filters: readonly FilterInterceptor[],
  call: FilterCall,
  last: () => Promise<CallResponse>,
): Promise<CallResponse> {
  const step = (i: number): Promise<CallResponse> => {
    if (i === filters.length) return last();
    try {
      return filters[i]!(call, () => step(i + 1));
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return step(0);
}
