// The per-call routing decision, for debugging (`shoal call --count` tallies these): which route
// matched, which cluster and endpoint were chosen, and why, or why the call was refused. The
// DecisionLog is where a transport's steps record them: handed to onDecision at once, or, with no
// one listening, built only when lastDecision is read. Internal to the mesh client but the type.

import { Code, RpcError } from '@shoal/rpc/client';
import type { XdsClusterWeight } from '@shoal/xds/plugins';
import type { MeshConfig } from '../config/mesh-config.js';
import type { MeshEndpoint } from '../lb/endpoint.js';
import type { RouteEntry } from '../routing/route-table.js';
import { clusterStep, type RoutedCall, routeStep } from './routed-call.js';

/**
 * What the mesh decided for one call: config version, virtual host, route, cluster, endpoint and why (the
 * admin API's test call shows it).
 */
export interface CallDecision {
  readonly target: string;
  /** The snapshot the decision was made on (MeshConfig.version); 0 when there was none. */
  readonly configVersion: number;
  /** `/package.Service/Method`. */
  readonly path: string;
  readonly virtualHost: string | undefined;
  readonly route: { readonly name: string; readonly index: number } | undefined;
  readonly cluster: string | undefined;
  /** `address:port` of the endpoint picked, when one was. */
  readonly endpoint: string | undefined;
  readonly endpointLabels: Readonly<Record<string, string>> | undefined;
  /** `region/zone/subzone` of the endpoint, and its priority. */
  readonly locality: string | undefined;
  readonly priority: number | undefined;
  /** 1 for the first attempt; retries make more decisions for the same call. */
  readonly attempt: number;
  /** The time budget the call was given (A31: its own deadline capped by the route's). */
  readonly timeoutMs: number | undefined;
  /** Steps that led here, in order, e.g. `route "canary" matched header x-user=beta`. */
  readonly why: readonly string[];
  /** Set when the call was refused before reaching an endpoint. */
  readonly error: string | undefined;
}

type Fields = Omit<CallDecision, 'target'>;

/** Where a transport's decisions go; one per transport. */
export class DecisionLog {
  private last: CallDecision | undefined;
  /** The last decision, not yet built: with no listener it is made only when read. */
  private lastLater: (() => CallDecision) | undefined;

  constructor(
    /** The target as the caller wrote it. */
    private readonly target: string,
    private readonly listener: ((decision: CallDecision) => void) | undefined,
  ) {}

  /** The most recent decision. */
  get lastDecision(): CallDecision | undefined {
    if (this.lastLater !== undefined) {
      this.last = this.lastLater();
      this.lastLater = undefined;
    }
    return this.last;
  }

  /** The error a call gets when the mesh cannot serve it. */
  unavailable(message: string): RpcError {
    return new RpcError(Code.UNAVAILABLE, `xDS target ${this.target}: ${message}`);
  }

  /**
   * A call refused before it had a plan: no route, a cluster that cannot take it, or dropped by
   * drop_overloads. Returns the error to fail it with.
   */
  refuse(
    config: MeshConfig,
    path: string,
    error: string,
    route?: RouteEntry,
    cluster?: XdsClusterWeight,
  ): RpcError {
    const why: string[] = [];
    if (route) why.push(routeStep(route, path));
    if (route && cluster) why.push(clusterStep(route, cluster));
    this.record({
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
      error,
    });
    return this.unavailable(error);
  }

  /** A routed call that failed before reaching an endpoint (a filter ended it, no usable endpoint). */
  fail(call: RoutedCall, attempt: number, error: string): void {
    this.record({ ...routedFields(call), attempt, why: call.steps(), error });
  }

  /**
   * Attempt `attempt` went to `endpoint`, picked by `policy`: recorded now when someone listens,
   * else built when lastDecision is read. Steps noted after this attempt belong to later ones.
   */
  attempt(call: RoutedCall, endpoint: MeshEndpoint, policy: string, attempt: number): void {
    const notes = call.notes?.length ?? 0;
    if (this.listener !== undefined) {
      this.record(attemptFields(call, endpoint, policy, attempt, notes));
      return;
    }
    this.lastLater = () => ({
      target: this.target,
      ...attemptFields(call, endpoint, policy, attempt, notes),
    });
  }

  private record(fields: Fields): void {
    const decision: CallDecision = { target: this.target, ...fields };
    this.last = decision;
    this.lastLater = undefined;
    this.listener?.(decision);
  }
}

/** The decision fields a routed call has before an endpoint is picked. */
function routedFields(call: RoutedCall): Omit<Fields, 'why'> {
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

function attemptFields(
  call: RoutedCall,
  endpoint: MeshEndpoint,
  policy: string,
  attempt: number,
  noteCount: number,
): Fields {
  const locality = endpoint.localityKey;
  const hashed = call.plan.hasher !== undefined ? ', request hash' : '';
  return {
    ...routedFields(call),
    endpoint: endpoint.key,
    endpointLabels: endpoint.labels,
    locality,
    priority: endpoint.priority,
    attempt,
    why: [
      ...call.steps(noteCount),
      `endpoint ${endpoint.key} by ${policy} (priority ${endpoint.priority}, locality ${locality}${hashed})`,
    ],
  };
}
