// The per-route parts of a call, taken from the xDS models once and cached by model identity (so
// per snapshot, never per call):
// - timeouts (gRFC A31): grpc_timeout_header_max if set, else max_stream_duration, from the route
//   or else the listener's default; the call gets min(its own deadline, that), 0 meaning none;
// - retries (gRFC A44): the route's retry policy, else the virtual host's;
// - request hashing (gRFC A42) from the route's hash policies.

import type { XdsForwardingAction, XdsRetryPolicy, XdsRoute, XdsVirtualHost } from '@shoal/xds/client';
import { RequestHasher } from '../lb/request-hash.js';

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
}
