// A call's time budget (gRFC A31): grpc_timeout_header_max if the route sets it, else the route's
// max_stream_duration, else the listener's default; the call gets the smaller of its own deadline
// and that, 0 meaning no limit.

import type { XdsForwardingAction } from '@shoal/xds/plugins';

/** The call's time budget, given its own (undefined = none). */
export function effectiveTimeoutMs(
  appTimeoutMs: number | undefined,
  action: XdsForwardingAction,
  listenerMaxStreamDurationMs: number | undefined,
): number | undefined {
  const routeMax = action.grpcTimeoutHeaderMaxMs ?? action.maxStreamDurationMs ?? listenerMaxStreamDurationMs;
  if (routeMax === undefined || routeMax === 0) return appTimeoutMs;
  return appTimeoutMs === undefined ? routeMax : Math.min(appTimeoutMs, routeMax);
}
