// The per-route and per-filter parts of a call, turned from xDS models into the mesh's resilience
// objects once and cached by model identity (so per snapshot, never per call):
// - timeouts (gRFC A31): grpc_timeout_header_max if set, else max_stream_duration, from the route
//   or else the listener's default; the call gets min(its own deadline, that), 0 meaning none;
// - retries (gRFC A44): the route's retry policy, else the virtual host's;
// - request hashing (gRFC A42) from the route's hash policies;
// - fault injection (gRFC A33) with filter config overrides (gRFC A39): the weighted cluster's
//   typed_per_filter_config wins over the route's, which wins over the virtual host's, which wins
//   over the listener's filter config; a disabled override turns the filter off there.

import {
  FAULT_TYPE_URL,
  type FaultFilterConfig,
  type XdsClusterWeight,
  type XdsFilterOverride,
  type XdsForwardingAction,
  type XdsHttpFilter,
  type XdsRetryPolicy,
  type XdsRoute,
  type XdsVirtualHost,
} from '@shoal/xds/client';
import { RequestHasher } from '../lb/request-hash.js';
import { type FaultGauge, FaultInjector } from '../resilience/fault-injector.js';
import { compileHeaderMatchers, type HeaderPredicate } from '../routing/header-match.js';
import type { Random } from '../support/random-source.js';

/** A fault filter ready to run: its injector and the headers a call must match to be faulted. */
export interface ActiveFault {
  readonly filterName: string;
  readonly injector: FaultInjector;
  readonly applies: HeaderPredicate;
}

/** A31: the call's time budget, given its own (undefined = none). */
export function effectiveTimeoutMs(
  appTimeoutMs: number | undefined,
  action: XdsForwardingAction,
  listenerMaxStreamDurationMs: number | undefined,
): number | undefined {
  const routeMax = action.grpcTimeoutHeaderMaxMs ?? action.maxStreamDurationMs ?? listenerMaxStreamDurationMs;
  if (routeMax === undefined || routeMax === 0) return appTimeoutMs;
  return appTimeoutMs === undefined ? routeMax : Math.min(appTimeoutMs, routeMax);
}

/** Caches derived policies per xDS model object; one per mesh transport. */
export class CallPolicies {
  private readonly hashers = new WeakMap<XdsForwardingAction, RequestHasher | null>();
  private readonly faults = new WeakMap<FaultFilterConfig, ActiveFault>();

  constructor(
    private readonly gauge: FaultGauge,
    private readonly random: Random,
  ) {}

  /** A44: the route's retry policy, else the virtual host's, as decoded. */
  retryPolicy(route: XdsRoute, vh: XdsVirtualHost): XdsRetryPolicy | undefined {
    return (route.action.kind === 'route' ? route.action.retryPolicy : undefined) ?? vh.retryPolicy;
  }

  hasher(action: XdsForwardingAction): RequestHasher | undefined {
    let h = this.hashers.get(action);
    if (h === undefined) {
      const built = new RequestHasher(action.hashPolicies);
      h = built.empty ? null : built;
      this.hashers.set(action, h);
    }
    return h ?? undefined;
  }

  /** The fault filters that can fault a call on this route and cluster, in listener order. */
  activeFaults(
    filters: readonly XdsHttpFilter[],
    vh: XdsVirtualHost,
    route: XdsRoute,
    cluster: XdsClusterWeight,
  ): ActiveFault[] {
    let out: ActiveFault[] | undefined;
    for (const f of filters) {
      if (f.typeUrl !== FAULT_TYPE_URL) continue;
      const override: XdsFilterOverride | undefined =
        cluster.filterOverrides[f.name] ?? route.filterOverrides[f.name] ?? vh.filterOverrides[f.name];
      if (override?.disabled) continue;
      if (override === undefined && f.disabled) continue;
      const config = (override?.config ?? f.config) as FaultFilterConfig | undefined;
      if (config === undefined) continue;
      const fault = this.fault(f.name, config);
      if (fault.injector.injects) (out ??= []).push(fault);
    }
    return out ?? noFaults;
  }

  private fault(filterName: string, config: FaultFilterConfig): ActiveFault {
    let f = this.faults.get(config);
    if (f === undefined) {
      const injector = new FaultInjector(config, this.gauge, this.random);
      f = { filterName, injector, applies: compileHeaderMatchers(config.headers) };
      this.faults.set(config, f);
    }
    return f;
  }
}

const noFaults: ActiveFault[] = [];
