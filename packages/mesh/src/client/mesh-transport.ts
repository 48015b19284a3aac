// The mesh-aware client transport: an @shoal/rpc Transport for an xDS target (gRFC A27). It
// keeps the target's config: the dependency manager assembles complete snapshots (A74), which
// bring the cluster runtimes up to date and are then swapped in for calls in one step. A call
// waits for the first snapshot (config-gate.ts), then goes down these steps, one file each:
//   route-call.ts     route match (A28), cluster by weight, the cluster's plan, drops, timeout (A31)
//   filter-call.ts    the route's HTTP filters (A39; fault injection, A33), ending in the router:
//   dispatch-call.ts  circuit breaker (A32), retries (A44) for single-request calls
//   attempt-call.ts   endpoint by the cluster's LB policy (A42/A48, localities and priorities,
//                     outlier ejections A50) → that endpoint's transport (endpoint-transports.ts),
//                     and the result back to the balancer and outlier detection.
// Each step records its decision (call-decision.ts) for onDecision and lastDecision.

import type {
  CallOptions,
  CallRequest,
  CallResponse,
  GrpcTransportOptions,
  Transport,
} from '@shoal/rpc/client';
import { Code, RpcError, SessionPool } from '@shoal/rpc/client';
import { createXdsClient, type XdsBootstrap, type XdsClient } from '@shoal/xds/client';
import { XdsDependencyManager } from '../config/dependency-manager.js';
import type { MeshConfig, MeshConfigUpdate } from '../config/mesh-config.js';
import type { ResourceWatcherSource } from '../config/watch-source.js';
import type { HttpFilterPlugins } from '../filters/http-filter.js';
import { createHttpFilterRegistry } from '../filters/http-filter-registry.js';
import { createLbPolicyRegistry, type LbPolicyRegistry } from '../lb/lb-policy-registry.js';
import type { EjectionEvent } from '../lb/outlier-detector.js';
import { type Clock, systemClock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';
import { type CallDecision, DecisionLog } from './call-decision.js';
import type { CallEnv } from './call-env.js';
import { CallPlans } from './call-plan.js';
import { ClusterRuntimes } from './cluster-runtimes.js';
import { ConfigGate } from './config-gate.js';
import { dispatchCall } from './dispatch-call.js';
import { EndpointTransports } from './endpoint-transports.js';
import { filterCall } from './filter-call.js';
import { routeCall } from './route-call.js';
import type { RoutedCall } from './routed-call.js';
import { type MeshTarget, parseMeshTarget } from './target.js';

export interface MeshTransportOptions {
  /**
   * Where xDS resources come from: an XdsClient from @shoal/xds (shared by many clients), or any
   * ResourceWatcherSource. Default: an XdsClient of this transport's own, from `bootstrap` or the
   * environment (GRPC_XDS_BOOTSTRAP / GRPC_XDS_BOOTSTRAP_CONFIG), closed with it.
   */
  readonly xds?: ResourceWatcherSource;
  /** `xds:///host:port` or an interface name such as `greet.v1.GreeterService`. */
  readonly target: string;
  /** For listener name templates and authorities (gRFC A47), and for the default XdsClient. */
  readonly bootstrap?: XdsBootstrap;
  /** Connections to endpoints; shared with other transports when given (then not closed here). */
  readonly pool?: SessionPool;
  /** Options for the per-endpoint gRPC transports (codec, compression, limits, TLS). */
  readonly grpc?: Omit<GrpcTransportOptions, 'address' | 'pool' | 'authority'>;
  /**
   * How a call reaches a picked endpoint (`host:port`, with the target's `:authority`). Default:
   * a GrpcTransport on the shared pool, made once per endpoint and closed when it leaves the config.
   */
  readonly endpointTransport?: (address: string, authority: string) => Transport;
  /** LB policies by name; defaults to the built-in ones. */
  readonly lbPolicies?: LbPolicyRegistry;
  /**
   * HTTP filter plug-ins; default createHttpFilterRegistry() (router, fault). The XdsClient made
   * here decodes with it; give a shared `xds` client the same registry when it has filters of its own.
   */
  readonly httpFilters?: HttpFilterPlugins;
  readonly random?: Random;
  readonly clock?: Clock;
  /** Told about each routing decision (one per attempt), for debugging. */
  readonly onDecision?: (decision: CallDecision) => void;
  /** Told about each new snapshot or config error. */
  readonly onConfig?: (update: MeshConfigUpdate) => void;
  /** Told when outlier detection ejects or returns endpoints. */
  readonly onEjection?: (cluster: string, events: readonly EjectionEvent[]) => void;
}

/** A random 64-bit id for this transport: the `io.grpc.channel_id` hash input (gRFC A42). */
function channelId(random: Random): bigint {
  return (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32));
}

export class MeshTransport implements Transport {
  readonly target: MeshTarget;
  private readonly manager: XdsDependencyManager;
  /** The XdsClient made here when none was given; closed with the transport. */
  private readonly ownXds: XdsClient | undefined;
  private readonly pool: SessionPool;
  private readonly ownsPool: boolean;
  private readonly httpFilters: HttpFilterPlugins;
  private readonly runtimes: ClusterRuntimes;
  private readonly gate: ConfigGate<MeshConfig>;
  /** What the steps of a call use. */
  private readonly env: CallEnv;
  /** Per-cluster call plans of the current snapshot. */
  private plans: CallPlans | undefined;
  private closed = false;

  constructor(private readonly options: MeshTransportOptions) {
    this.httpFilters = options.httpFilters ?? createHttpFilterRegistry();
    this.ownXds =
      options.xds === undefined
        ? createXdsClient({
            httpFilters: this.httpFilters,
            ...(options.bootstrap && { bootstrap: options.bootstrap }),
          })
        : undefined;
    try {
      this.target = parseMeshTarget(options.target, options.bootstrap ?? this.ownXds?.bootstrap);
    } catch (err) {
      void this.ownXds?.close();
      throw err;
    }
    const random = options.random ?? Math.random;
    const clock = options.clock ?? systemClock;
    this.ownsPool = options.pool === undefined;
    this.pool = options.pool ?? new SessionPool(options.grpc ?? {});
    this.env = {
      clock,
      random,
      channelId: channelId(random),
      decisions: new DecisionLog(this.target.target, options.onDecision),
      endpoints: new EndpointTransports({
        pool: this.pool,
        authority: this.target.authority,
        grpc: options.grpc,
        make: options.endpointTransport,
      }),
    };
    this.runtimes = new ClusterRuntimes({
      registry: options.lbPolicies ?? createLbPolicyRegistry(),
      random,
      clock,
      ...(options.onEjection && { onEjection: options.onEjection }),
    });
    this.gate = new ConfigGate(clock, this.target.target);
    this.manager = new XdsDependencyManager({
      source: options.xds ?? this.ownXds!,
      listenerName: this.target.listenerName,
      authority: this.target.authority,
      onUpdate: (u) => this.onUpdate(u),
    });
  }

  /** The snapshot calls currently use. */
  get currentConfig(): MeshConfig | undefined {
    return this.gate.current;
  }

  /** The most recent routing decision. */
  get lastDecision(): CallDecision | undefined {
    return this.env.decisions.lastDecision;
  }

  /** What the dependency manager has received, per resource. */
  resourceStatus(): ReturnType<XdsDependencyManager['status']> {
    return this.manager.status();
  }

  /** Per cluster: picker loads, localities and ejected endpoints. */
  clusterState(): ReturnType<ClusterRuntimes['state']> {
    return this.runtimes.state();
  }

  /** Resolves with the first complete config, or rejects when the target cannot be served. */
  ready(signal?: AbortSignal): Promise<MeshConfig> {
    return this.gate.wait(signal, undefined);
  }

  call(request: CallRequest, options: CallOptions): Promise<CallResponse> {
    const config = this.gate.current;
    if (config !== undefined) return this.callOn(config, request, options);
    return this.gate.wait(request.signal, request.timeoutMs).then((c) => this.callOn(c, request, options));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.manager.close();
    void this.ownXds?.close();
    this.runtimes.close();
    this.gate.fail(new RpcError(Code.UNAVAILABLE, `mesh client for ${this.target.target} is closed`), true);
    this.env.endpoints.close();
    if (this.ownsPool) this.pool.close();
  }

  /** One call on one snapshot, down its steps: route → HTTP filters → router (dispatch, attempts). */
  private callOn(config: MeshConfig, request: CallRequest, options: CallOptions): Promise<CallResponse> {
    let call: RoutedCall;
    try {
      call = routeCall(config, this.plansFor(config), request, this.env);
    } catch (err) {
      return Promise.reject(err);
    }
    if (call.plan.filters.length === 0) return dispatchCall(call, options, this.env);
    return filterCall(call, () => dispatchCall(call, options, this.env), this.env.decisions);
  }

  /** The current snapshot's plans; a call that waited on an older snapshot gets its own. */
  private plansFor(config: MeshConfig): CallPlans {
    return this.plans?.config === config ? this.plans : this.makePlans(config);
  }

  private makePlans(config: MeshConfig): CallPlans {
    const { clock, random } = this.env;
    return new CallPlans(config, this.runtimes, this.httpFilters, { clock, random });
  }

  private onUpdate(update: MeshConfigUpdate): void {
    this.options.onConfig?.(update);
    if (update.kind === 'error') {
      this.gate.fail(this.env.decisions.unavailable(update.message), update.fatal);
      return;
    }
    const config = update.config;
    this.runtimes.apply(config);
    this.env.endpoints.keepOnly(this.runtimes.endpointKeys());
    // The swap: from here on every call sees the new routes, clusters and endpoints together.
    this.plans = this.makePlans(config);
    this.gate.publish(config);
  }
}
