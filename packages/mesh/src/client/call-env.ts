// What the steps of a call (route-call.ts → filter-call.ts → dispatch-call.ts → attempt-call.ts)
// use besides the call itself: one per transport, made when it is made. Internal to the mesh client.

import type { MeshMetrics } from '@shoal/telemetry/plugins';
import type { Clock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';
import type { DecisionLog } from './call-decision.js';
import type { EndpointTransports } from './endpoint-transports.js';

export interface CallEnv {
  readonly clock: Clock;
  readonly random: Random;
  /** This transport's `io.grpc.channel_id` hash input (gRFC A42). */
  readonly channelId: bigint;
  /** The mesh's counters (retries, circuit-breaker rejections, …), when telemetry is on. */
  readonly metrics: MeshMetrics | undefined;
  readonly decisions: DecisionLog;
  readonly endpoints: EndpointTransports;
}
