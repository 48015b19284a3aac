// What the mesh transport tells telemetry (@shoal/telemetry) beyond the call itself: where each
// attempt went (the route decision, for spans and A66's attempt) and the outlier ejections. Kept
// apart so the call path stays readable and metrics stay optional.

import type { CallRequest } from '@shoal/rpc/client';
import { type ClientAttemptTracer, withRequest } from '@shoal/rpc/plugins';
import type { MeshMetrics } from '@shoal/telemetry/plugins';
import type { MeshEndpoint } from '../lb/endpoint.js';
import type { EjectionEvent } from '../lb/outlier-detector.js';
import type { RoutedCall } from './routed-call.js';

type EjectionListener = (cluster: string, events: readonly EjectionEvent[]) => void;

/** The caller's ejection listener, with the metrics' count in front. */
export function countingEjections(
  metrics: MeshMetrics | undefined,
  listener: EjectionListener | undefined,
): EjectionListener | undefined {
  if (metrics === undefined) return listener;
  return (cluster, events) => {
    for (const e of events) if (e.ejected) metrics.ejected(cluster, e.key, e.reason ?? '');
    listener?.(cluster, events);
  };
}

/** Tells the attempt where it goes and hands it to the endpoint's transport with the request. */
export function tracedAttempt(
  request: CallRequest,
  attempt: ClientAttemptTracer,
  call: RoutedCall,
  ep: MeshEndpoint,
): CallRequest {
  attempt.onDestination?.({
    endpoint: ep.key,
    cluster: call.plan.weighted.name,
    route: call.plan.entry.name,
    locality: ep.localityKey,
  });
  return withRequest(request, { attempt });
}
