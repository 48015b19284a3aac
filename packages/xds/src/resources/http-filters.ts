// gRFC A39 xDS HTTP filters: the registry of filter types a client or server understands, and the
// decoding of HttpConnectionManager.http_filters and typed_per_filter_config overrides with it. A
// filter whose type is not registered (or not for this side) is ignored when is_optional is set
// and NACKs the resource otherwise; an override of an unknown type likewise, unless its
// FilterConfig wrapper says is_optional.
import type { Any } from '@bufbuild/protobuf/wkt';
import { FilterConfigSchema } from '../gen/envoy/config/route/v3/route_components_pb.js';
import type { HttpFilter } from '../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import {
  FAULT_TYPE_URL,
  FILTER_CONFIG_TYPE_URL,
  RBAC_PER_ROUTE_TYPE_URL,
  RBAC_TYPE_URL,
  ROUTER_TYPE_URL,
} from '../type-urls.js';
import { at, index, type Problems, parse } from './decode-result.js';
import { decodeFaultFilterConfig } from './fault-filter.js';
import { decodeRbacFilterConfig, decodeRbacFilterOverride } from './rbac-filter.js';

/**
 * A kind of HTTP filter as a decoder sees it: how to read its config and override, and where it
 * may run. The mesh's filter plug-ins extend this with what they build per call.
 */
export interface HttpFilterType {
  /** Type URL of its config message, e.g. `type.googleapis.com/envoy.extensions.filters.http.router.v3.Router`. */
  readonly typeUrl: string;
  /** Terminal filters (the router) must be last in a chain, and only they may be last. */
  readonly terminal: boolean;
  readonly client: boolean;
  readonly server: boolean;
  /** Reads the top-level config; `undefined` when invalid (with errors recorded). */
  parseConfig(bytes: Uint8Array, path: string, problems: Problems): unknown;
  /** Type URL of its per-route override message when it differs from `typeUrl` (RBACPerRoute). */
  readonly overrideTypeUrl?: string;
  /** Reads a per-route override; absent when the filter takes none. */
  parseOverride?(bytes: Uint8Array, path: string, problems: Problems): unknown;
}

/**
 * The HTTP filter types a decoder accepts, keyed by config type URL (gRFC A39). Owned by its
 * creator; `T` is what is registered (the mesh registers plug-ins that also build interceptors).
 */
export class HttpFilterRegistry<T extends HttpFilterType = HttpFilterType> {
  private readonly types = new Map<string, T>();

  private readonly overrides = new Map<string, T>();

  register(type: T): this {
    this.types.set(type.typeUrl, type);
    this.overrides.set(type.overrideTypeUrl ?? type.typeUrl, type);
    return this;
  }

  /** The filter type whose top-level config has this type URL. */
  get(typeUrl: string): T | undefined {
    return this.types.get(typeUrl);
  }

  /** The filter type whose per-route override has this type URL. */
  forOverride(typeUrl: string): T | undefined {
    return this.overrides.get(typeUrl);
  }
}

/** The router (Envoy: extensions.filters.http.router.v3.Router): the terminal filter, no config read. */
export const routerFilterType: HttpFilterType = Object.freeze({
  typeUrl: ROUTER_TYPE_URL,
  terminal: true,
  client: true,
  server: true,
  parseConfig: () => ({}),
});

/** Fault injection (gRFC A33), client side, with per-route overrides of the same message. */
export const faultFilterType: HttpFilterType = Object.freeze({
  typeUrl: FAULT_TYPE_URL,
  terminal: false,
  client: true,
  server: false,
  parseConfig: decodeFaultFilterConfig,
  parseOverride: decodeFaultFilterConfig,
});

/** RBAC (gRFC A41), server side, overridden per route by RBACPerRoute. */
export const rbacFilterType: HttpFilterType = Object.freeze({
  typeUrl: RBAC_TYPE_URL,
  overrideTypeUrl: RBAC_PER_ROUTE_TYPE_URL,
  terminal: false,
  client: false,
  server: true,
  parseConfig: decodeRbacFilterConfig,
  parseOverride: decodeRbacFilterOverride,
});

/**
 * A registry with the filters Shoal decodes: the router, fault injection (A33) and RBAC (A41).
 * What a process that only decodes needs; the mesh's registries hold its plug-ins of the same.
 */
export function createDefaultHttpFilterRegistry(): HttpFilterRegistry {
  return new HttpFilterRegistry()
    .register(routerFilterType)
    .register(faultFilterType)
    .register(rbacFilterType);
}

/** One HTTP filter of a chain. `config` is the filter type's model (FaultFilterConfig for fault). */
export interface XdsHttpFilter {
  readonly name: string;
  readonly typeUrl: string;
  readonly config: unknown;
  /** Disabled filters run only on routes whose overrides enable them. */
  readonly disabled: boolean;
}

/** A per-route (or per-virtual-host, per-cluster-weight) override of a filter's config. */
export interface XdsFilterOverride {
  readonly typeUrl: string;
  readonly config: unknown;
  /** Set by a FilterConfig wrapper with `disabled`: the filter does not run here. */
  readonly disabled: boolean;
}

/** Decodes `http_filters` for one side (client or server); errors go to `problems`. */
export function decodeHttpFilters(
  filters: readonly HttpFilter[],
  side: 'client' | 'server',
  registry: HttpFilterRegistry,
  path: string,
  problems: Problems,
): XdsHttpFilter[] {
  const out: XdsHttpFilter[] = [];
  const names = new Set<string>();
  let lastTerminal = false;
  filters.forEach((f, i) => {
    const p = index(path, i);
    if (f.name === '') problems.add(at(p, 'name'), 'must not be empty');
    else if (names.has(f.name))
      problems.add(at(p, 'name'), `duplicate filter name ${JSON.stringify(f.name)}`);
    names.add(f.name);
    if (f.configType.case !== 'typedConfig') {
      if (!f.isOptional) problems.add(p, 'typed_config is required');
      return;
    }
    const any = f.configType.value;
    const type = registry.get(any.typeUrl);
    if (!type?.[side]) {
      if (!f.isOptional) {
        problems.add(
          at(p, 'typed_config'),
          `unsupported ${side} HTTP filter ${any.typeUrl || '(no type_url)'}`,
        );
      }
      return;
    }
    if (lastTerminal) problems.add(p, 'filter after the terminal filter');
    lastTerminal = type.terminal;
    const before = problems.errors.length;
    const config = type.parseConfig(any.value, at(p, 'typed_config'), problems);
    if (problems.errors.length === before) {
      out.push({ name: f.name, typeUrl: any.typeUrl, config, disabled: f.disabled });
    }
  });
  if (filters.length === 0) problems.add(path, 'at least the router filter is required');
  else if (!lastTerminal) problems.add(path, 'the last HTTP filter must be a terminal filter (the router)');
  return out;
}

/** Decodes a typed_per_filter_config map; FilterConfig wrappers may mark an override optional. */
export function decodeFilterOverrides(
  overrides: { readonly [name: string]: Any },
  registry: HttpFilterRegistry,
  path: string,
  problems: Problems,
): Record<string, XdsFilterOverride> {
  const out: Record<string, XdsFilterOverride> = {};
  for (const [name, raw] of Object.entries(overrides)) {
    const p = index(path, name);
    let any: Any | undefined = raw;
    let optional = false;
    if (raw.typeUrl === FILTER_CONFIG_TYPE_URL) {
      const wrapper = parse(FilterConfigSchema, raw.value, p, problems);
      if (!wrapper) continue;
      optional = wrapper.isOptional;
      any = wrapper.config;
      if (wrapper.disabled) {
        out[name] = { typeUrl: wrapper.config?.typeUrl ?? '', config: undefined, disabled: true };
        continue;
      }
    }
    if (!any) {
      problems.add(p, 'config is required');
      continue;
    }
    const type = registry.forOverride(any.typeUrl);
    if (!type?.parseOverride) {
      if (!optional) problems.add(p, `unsupported filter config override ${any.typeUrl || '(no type_url)'}`);
      continue;
    }
    const before = problems.errors.length;
    const config = type.parseOverride(any.value, p, problems);
    if (problems.errors.length === before) out[name] = { typeUrl: any.typeUrl, config, disabled: false };
  }
  return out;
}
