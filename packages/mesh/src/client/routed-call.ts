// One call on its way through the mesh transport: the snapshot it was routed on, its plan, its
// time budget (gRFC A31) and the fault and retry steps taken so far. A call's CallDecision is
// spelled out from this only when someone reads it: building the strings on every call would cost
// more than routing it. Internal to the mesh client.

import { type CallRequest, Metadata } from '@shoal/rpc/client';
import type { XdsClusterWeight } from '@shoal/xds/client';
import type { MeshConfig } from '../config/mesh-config.js';
import type { FilterCall } from '../filters/http-filter.js';
import { localityKey, type MeshEndpoint } from '../lb/endpoint.js';
import type { Release } from '../resilience/circuit-breaker.js';
import type { RouteEntry } from '../routing/route-table.js';
import type { CallDecision } from './call-decision.js';
import type { CallPlan } from './call-plan.js';

export interface RoutedCall extends FilterCall {
  readonly config: MeshConfig;
  readonly request: CallRequest;
  readonly path: string;
  readonly plan: CallPlan;
  readonly timeoutMs: number | undefined;
  /** The call's deadline on the transport's clock, when it has a time budget. */
  readonly deadline: number | undefined;
  /** Fault and retry steps, in order; made on the first one. */
  notes: string[] | undefined;
  /** The circuit-breaker slot, held until the call (or its response stream) ends. */
  release: Release | undefined;
}

/** FilterCall.note for a routed call: one shared function, so a call allocates no closure for it. */
export function noteStep(this: RoutedCall, step: string): void {
  (this.notes ??= []).push(step);
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

/** The steps up to now (or up to the first `noteCount` fault/retry notes). */
export function stepsOf(call: RoutedCall, noteCount = call.notes?.length ?? 0): string[] {
  const steps = [routeStep(call.plan.entry, call.path), clusterStep(call.plan.entry, call.plan.weighted)];
  if (call.timeoutMs !== call.request.timeoutMs)
    steps.push(`timeout ${call.timeoutMs}ms from the route's max_stream_duration`);
  if (call.notes !== undefined) for (let i = 0; i < noteCount; i++) steps.push(call.notes[i]!);
  return steps;
}

/** The decision fields a routed call has before an endpoint is picked. */
function routedDecision(call: RoutedCall): Omit<CallDecision, 'target' | 'why'> {
  const { entry } = call.plan;
  return {
    configVersion: call.config.version,
    path: call.path,
    virtualHost: call.config.virtualHost?.name,
    route: { name: entry.name, index: entry.index },
    cluster: call.plan.weighted.name,
    endpoint: undefined,
    endpointLabels: undefined,
    locality: undefined,
    priority: undefined,
    attempt: 1,
    timeoutMs: call.timeoutMs,
    error: undefined,
  };
}

/** Attempt `attempt` went to `endpoint`, picked by `policy`; `noteCount` notes had been made by then. */
export function attemptDecision(
  call: RoutedCall,
  endpoint: MeshEndpoint,
  policy: string,
  attempt: number,
  noteCount: number,
): Omit<CallDecision, 'target'> {
  const locality = localityKey(endpoint.locality);
  const hashed = call.plan.hasher !== undefined ? ', request hash' : '';
  return {
    ...routedDecision(call),
    endpoint: endpoint.key,
    endpointLabels: endpoint.labels,
    locality,
    priority: endpoint.priority,
    attempt,
    why: [
      ...stepsOf(call, noteCount),
      `endpoint ${endpoint.key} by ${policy} (priority ${endpoint.priority}, locality ${locality}${hashed})`,
    ],
  };
}

/** A routed call that failed before reaching an endpoint (a fault abort, no usable endpoint). */
export function failedDecision(
  call: RoutedCall,
  attempt: number,
  error: string,
): Omit<CallDecision, 'target'> {
  return { ...routedDecision(call), attempt, why: stepsOf(call), error };
}

/** The decision fields of a call refused before it had a plan: no route, or a cluster that cannot take it. */
export function unplannedDecision(
  config: MeshConfig,
  path: string,
  route?: RouteEntry,
  cluster?: XdsClusterWeight,
): Omit<CallDecision, 'target' | 'error'> {
  const why: string[] = [];
  if (route) why.push(routeStep(route, path));
  if (route && cluster) why.push(clusterStep(route, cluster));
  return {
    configVersion: config.version,
    path,
    virtualHost: config.virtualHost?.name,
    route: route && { name: route.name, index: route.index },
    cluster: cluster?.name,
    endpoint: undefined,
    endpointLabels: undefined,
    locality: undefined,
    priority: undefined,
    attempt: 1,
    timeoutMs: undefined,
    why,
  };
}

/** The request as attempt `n` sends it (at clock time `now`): retries say so, and the time left is recomputed. */
export function attemptRequest(call: RoutedCall, n: number, now: number): CallRequest {
  const request = call.request;
  const remaining = call.deadline === undefined ? undefined : Math.max(0, call.deadline - now);
  if (n === 1 && remaining === request.timeoutMs) return request;
  let header = request.header;
  if (n > 1) {
    header = new Metadata(request.header);
    header.set('grpc-previous-rpc-attempts', String(n - 1));
  }
  return { ...request, header, timeoutMs: remaining } as CallRequest;
}
