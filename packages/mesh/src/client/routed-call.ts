// One call on its way through the mesh transport, from route match to its last attempt: the
// snapshot it was routed on, its plan, its time budget (gRFC A31), the steps that fault filters
// and retries add, and the circuit-breaker slot it holds. The HTTP filters see it as their
// FilterCall. Its CallDecision is spelled out from it only when someone reads it: building the
// strings on every call would cost more than routing it. Internal to the mesh client.

import { type CallRequest, Metadata } from '@shoal/rpc/client';
import { withRequest } from '@shoal/rpc/plugins';
import type { XdsClusterWeight } from '@shoal/xds/plugins';
import type { MeshConfig } from '../config/mesh-config.js';
import type { FilterCall } from '../filters/http-filter.js';
import type { Release } from '../resilience/circuit-breaker.js';
import type { RouteEntry } from '../routing/route-table.js';
import type { CallPlan } from './call-plan.js';

export class RoutedCall implements FilterCall {
  /** Fault and retry steps, in order; made on the first one. */
  notes: string[] | undefined = undefined;
  /** The circuit-breaker slot, held until the call (or its response stream) ends. */
  release: Release | undefined = undefined;
  /** The request as the router forwards it (header mutations, rewrites: router-request.ts). */
  upstream: CallRequest;

  constructor(
    readonly config: MeshConfig,
    readonly request: CallRequest,
    /** `/package.Service/Method`. */
    readonly path: string,
    readonly plan: CallPlan,
    /** The time budget: the call's own, capped by the route's (A31). */
    readonly timeoutMs: number | undefined,
    /** The call's deadline on the transport's clock, when it has a time budget. */
    readonly deadline: number | undefined,
  ) {
    this.upstream = request;
  }

  note(step: string): void {
    (this.notes ??= []).push(step);
  }

  /** The steps up to now (or up to the first `noteCount` fault/retry notes). */
  steps(noteCount = this.notes?.length ?? 0): string[] {
    const { entry, weighted } = this.plan;
    const steps = [routeStep(entry, this.path), clusterStep(entry, weighted)];
    if (this.timeoutMs !== this.request.timeoutMs)
      steps.push(`timeout ${this.timeoutMs}ms from the route's max_stream_duration`);
    if (this.notes !== undefined) for (let i = 0; i < noteCount; i++) steps.push(this.notes[i]!);
    return steps;
  }

  /** The request as attempt `n` sends it (at clock time `now`): retries say so, and the time left is recomputed. */
  attemptRequest(n: number, now: number): CallRequest {
    const request = this.upstream;
    const remaining = this.deadline === undefined ? undefined : Math.max(0, this.deadline - now);
    if (n === 1 && remaining === request.timeoutMs) return request;
    let header = request.header;
    if (n > 1) {
      header = new Metadata(request.header);
      header.set('grpc-previous-rpc-attempts', String(n - 1));
    }
    return withRequest(request, { header, timeoutMs: remaining });
  }
}

export function routeStep(entry: RouteEntry, path: string): string {
  return `route ${JSON.stringify(entry.name)} (routes[${entry.index}]) matched ${path}`;
}

export function clusterStep(entry: RouteEntry, weighted: XdsClusterWeight): string {
  const action = entry.route.action;
  const name = JSON.stringify(weighted.name);
  return action.kind === 'route' && action.clusters.length > 1
    ? `cluster ${name} drawn by weight ${weighted.weight}/${action.totalWeight}`
    : `cluster ${name}`;
}
