// Circuit breaking (gRFC A32, Envoy: config.cluster.v3.CircuitBreakers, DEFAULT priority).
// One breaker per cluster, owned by the mesh client (not the module) and kept across config
// updates so in-flight calls still count. A call takes a slot for its whole life; at the limit it
// fails fast with UNAVAILABLE instead of queueing. Every acquire hands back a release function
// that frees the slot exactly once, however often it is called.
// max_requests is A32's; max_pending_requests and max_retries are Envoy's, for the same price:
// "pending" is a call waiting for a connection, "retries" an outstanding retry attempt.

import { Code, RpcError } from '@shoal/rpc/client';
import type { XdsCircuitBreakers } from '@shoal/xds/plugins';

/** The limits a breaker enforces, as @shoal/xds decodes them (Envoy's defaults set there). */
export type CircuitBreakerThresholds = Pick<
  XdsCircuitBreakers,
  'maxRequests' | 'maxPendingRequests' | 'maxRetries'
>;

/** Frees a slot; calling it again does nothing. */
export type Release = () => void;

type Kind = 'requests' | 'pending' | 'retries';

export class CircuitBreaker {
  private thresholds: CircuitBreakerThresholds;
  private counts = { requests: 0, pending: 0, retries: 0 };
  /** Calls refused per kind since creation (Envoy: upstream_rq_pending_overflow and friends). */
  readonly overflows = { requests: 0, pending: 0, retries: 0 };

  constructor(
    readonly cluster: string,
    thresholds: CircuitBreakerThresholds,
  ) {
    this.thresholds = thresholds;
  }

  /** New limits apply to the next acquire; slots already held stay held. */
  setThresholds(thresholds: CircuitBreakerThresholds): void {
    this.thresholds = thresholds;
  }

  get outstandingRequests(): number {
    return this.counts.requests;
  }

  get pendingRequests(): number {
    return this.counts.pending;
  }

  get outstandingRetries(): number {
    return this.counts.retries;
  }

  /** A request slot, or undefined at max_requests. */
  tryAcquire(): Release | undefined {
    return this.take('requests', this.thresholds.maxRequests);
  }

  /** A request slot, or an UNAVAILABLE RpcError saying which limit was hit. */
  acquire(): Release {
    const release = this.tryAcquire();
    if (release !== undefined) return release;
    throw new RpcError(
      Code.UNAVAILABLE,
      `circuit breaker open: cluster ${this.cluster} has ${this.counts.requests} outstanding requests (max_requests ${this.thresholds.maxRequests})`,
    );
  }

  /** A slot while waiting for a connection, or undefined at max_pending_requests. */
  tryAcquirePending(): Release | undefined {
    return this.take('pending', this.thresholds.maxPendingRequests);
  }

  /** A slot for one retry attempt, or undefined at max_retries (the retry is then skipped). */
  tryAcquireRetry(): Release | undefined {
    return this.take('retries', this.thresholds.maxRetries);
  }

  private take(kind: Kind, max: number): Release | undefined {
    const counts = this.counts;
    if (counts[kind] >= max) {
      this.overflows[kind]++;
      return undefined;
    }
    counts[kind]++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      counts[kind]--;
    };
  }
}
