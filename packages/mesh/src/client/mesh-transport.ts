// The mesh-aware client transport: an @shoal/rpc Transport for an xDS target. Per call, on the
// current complete config snapshot (gRFC A74): route match (A28) → cluster by weight → fault
// injection (A33/A39) → circuit breaker (A32) → endpoint by the cluster's LB policy, locality and
// priority, and outlier ejections (A27/A42/A48/A50) → a GrpcTransport on a shared SessionPool.
// Timeouts follow A31 (the call's deadline capped by the route's max_stream_duration). Retries
// follow A44 through the retry runner, for calls with a single request message; a call that
// has received a streamed response is committed. Every call's result feeds outlier detection.

import {
  type CallOptions,
  type CallRequest,
  type CallResponse,
  Code,
  GrpcTransport,
  type GrpcTransportOptions,
  Metadata,
  methodPath,
  RpcError,
  SessionPool,
  type Transport,
} from '@shoal/rpc';
import { createXdsClient, type XdsBootstrap, type XdsClient } from '@shoal/xds';
import { XdsDependencyManager } from '../config/dependency-manager.js';
import type { MeshConfig, MeshConfigUpdate } from '../config/mesh-config.js';
import type { ResourceWatcherSource } from '../config/watch-source.js';
import { localityKey, type MeshEndpoint } from '../lb/endpoint.js';
import { createLbPolicyRegistry, type LbPolicyRegistry } from '../lb/lb-policy-registry.js';
import type { Random } from '../lb/random-source.js';
import { type Clock, systemClock } from '../resilience/clock.js';
import { FaultGauge } from '../resilience/fault-injector.js';
import type { EjectionEvent } from '../resilience/outlier-detector.js';
import { runWithRetries } from '../resilience/retry-policy.js';
import type { CallDecision } from './call-decision.js';
import { CallPolicies, effectiveTimeoutMs } from './call-policies.js';
import { emptyResponse, trackStream } from './call-responses.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { ConfigGate } from './config-gate.js';
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
  /** LB policies by name; defaults to the built-in ones. */
  readonly lbPolicies?: LbPolicyRegistry;
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
  private readonly random: Random;
  private readonly clock: Clock;
  private readonly registry: LbPolicyRegistry;
  private readonly policies: CallPolicies;
  private readonly runtimes = new Map<string, ClusterRuntime>();
  /** Clusters whose config could not be applied, with why. */
  private clusterErrors = new Map<string, string>();
  private readonly transports = new Map<string, GrpcTransport>();
  private readonly gate: ConfigGate<MeshConfig>;
  private readonly channelId: bigint;
  private closed = false;
  private last: CallDecision | undefined;
  /** The last decision, not yet built: with no onDecision listener it is made only when read. */
  private lastLater: (() => CallDecision) | undefined;

  constructor(private readonly options: MeshTransportOptions) {
    this.ownXds =
      options.xds === undefined
        ? createXdsClient(options.bootstrap ? { bootstrap: options.bootstrap } : {})
        : undefined;
    try {
      this.target = parseMeshTarget(options.target, options.bootstrap ?? this.ownXds?.bootstrap);
    } catch (err) {
      void this.ownXds?.close();
      throw err;
    }
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? systemClock;
    this.registry = options.lbPolicies ?? createLbPolicyRegistry();
    this.policies = new CallPolicies(new FaultGauge(), this.random);
    this.ownsPool = options.pool === undefined;
    this.pool = options.pool ?? new SessionPool(options.grpc ?? {});
    this.channelId = channelId(this.random);
    this.gate = new ConfigGate(this.clock, this.target.target);
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
    if (this.lastLater !== undefined) {
      this.last = this.lastLater();
      this.lastLater = undefined;
    }
    return this.last;
  }

  /** What the dependency manager has received, per resource. */
  resourceStatus(): ReturnType<XdsDependencyManager['status']> {
    return this.manager.status();
  }

  /** Per cluster: picker loads, localities and ejected endpoints. */
  clusterState(): Record<string, ReturnType<ClusterRuntime['balancer']['state']>> {
    const out: Record<string, ReturnType<ClusterRuntime['balancer']['state']>> = {};
    for (const [name, r] of this.runtimes) out[name] = r.balancer.state();
    return out;
  }

  /** Resolves with the first complete config, or rejects when the target cannot be served. */
  ready(signal?: AbortSignal): Promise<MeshConfig> {
    return this.gate.wait(signal, undefined);
  }

  call(request: CallRequest, options: CallOptions): Promise<CallResponse> {
    const config = this.gate.current;
    if (config !== undefined) return this.route(config, request, options);
    return this.gate.wait(request.signal, request.timeoutMs).then((c) => this.route(c, request, options));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.manager.close();
    void this.ownXds?.close();
    for (const r of this.runtimes.values()) r.close();
    this.runtimes.clear();
    this.gate.fail(new RpcError(Code.UNAVAILABLE, `mesh client for ${this.target.target} is closed`), true);
    for (const t of this.transports.values()) t.close();
    if (this.ownsPool) this.pool.close();
  }

  private onUpdate(update: MeshConfigUpdate): void {
    this.options.onConfig?.(update);
    if (update.kind === 'error') {
      this.gate.fail(this.unavailable(update.message), update.fatal);
      return;
    }
    const config = update.config;
    const errors = new Map<string, string>();
    for (const [name, c] of config.clusters) {
      if (c.status !== 'ok') continue;
      let runtime = this.runtimes.get(name);
      if (runtime === undefined) {
        runtime = new ClusterRuntime(name, {
          registry: this.registry,
          random: this.random,
          clock: this.clock,
          ...(this.options.onEjection && { onEjection: this.options.onEjection }),
        });
        this.runtimes.set(name, runtime);
      }
      try {
        runtime.update(c.cluster, c.endpoints, c.assignment?.overprovisioningFactor);
      } catch (err) {
        errors.set(name, `cluster ${JSON.stringify(name)}: ${(err as Error).message}`);
      }
    }
    for (const [name, r] of this.runtimes) {
      if (config.clusters.has(name)) continue;
      r.close();
      this.runtimes.delete(name);
    }
    // Forget transports of endpoints no cluster has any more (their calls in flight keep theirs).
    const live = new Set<string>();
    for (const r of this.runtimes.values()) for (const e of r.endpoints) live.add(e.key);
    for (const [key, t] of this.transports) {
      if (live.has(key)) continue;
      t.close();
      this.transports.delete(key);
    }
    // The swap: from here on every call sees the new routes, clusters and endpoints together.
    this.clusterErrors = errors;
    this.gate.publish(config);
  }

  private unavailable(message: string): RpcError {
    return new RpcError(Code.UNAVAILABLE, `xDS target ${this.target.target}: ${message}`);
  }

  private decide(d: Omit<CallDecision, 'target'>): CallDecision {
    // `why` is copied: the call goes on adding to its own list (retries, faults).
    const decision: CallDecision = { target: this.target.target, ...d, why: d.why.slice() };
    this.last = decision;
    this.lastLater = undefined;
    this.options.onDecision?.(decision);
    return decision;
  }

  /**
   * A decision on the hot path: made now when someone listens, else only when lastDecision is
   * read (building it and its strings for every call costs more than routing the call).
   */
  private decideLater(make: () => Omit<CallDecision, 'target'>): void {
    if (this.options.onDecision !== undefined) {
      this.decide(make());
      return;
    }
    this.lastLater = () => ({ target: this.target.target, ...make() });
  }

  private refuse(
    config: MeshConfig | undefined,
    path: string,
    why: string[],
    error: string,
    extra: Partial<CallDecision> = {},
  ): never {
    this.decide({
      configVersion: config?.version ?? 0,
      path,
      virtualHost: config?.virtualHost?.name,
      route: undefined,
      cluster: undefined,
      endpoint: undefined,
      endpointLabels: undefined,
      locality: undefined,
      priority: undefined,
      attempt: 1,
      timeoutMs: undefined,
      why,
      error,
      ...extra,
    });
    throw this.unavailable(error);
  }

  private async route(config: MeshConfig, request: CallRequest, options: CallOptions): Promise<CallResponse> {
    const path = methodPath(request.method);
    const table = config.routeTable;
    const vh = config.virtualHost;
    if (table === undefined || vh === undefined)
      this.refuse(
        config,
        path,
        [],
        `no virtual host in route configuration ${JSON.stringify(config.routeConfig.name)} matches ${JSON.stringify(config.authority)}`,
      );
    const entry = table.match(path, request.header, this.random);
    if (entry === undefined)
      this.refuse(config, path, [], `no route in virtual host ${JSON.stringify(vh.name)} matches ${path}`);
    const action = entry.route.action;
    const routeRef = { name: entry.name, index: entry.index };
    // Steps are kept as thunks where they are built on every call, and spelled out when read.
    const why: Step[] = [
      () => `route ${JSON.stringify(entry.name)} (routes[${entry.index}]) matched ${path}`,
    ];
    if (action.kind !== 'route')
      this.refuse(
        config,
        path,
        spell(why),
        `route ${JSON.stringify(entry.name)} has a ${action.kind === 'non_forwarding' ? 'non_forwarding' : action.action} action, which a client cannot follow`,
        { route: routeRef },
      );
    const weighted = entry.pickCluster(this.random)!;
    const clusterName = weighted.name;
    why.push(
      action.clusters.length > 1
        ? () =>
            `cluster ${JSON.stringify(clusterName)} drawn by weight ${weighted.weight}/${action.totalWeight}`
        : () => `cluster ${JSON.stringify(clusterName)}`,
    );
    const cc = config.clusters.get(clusterName);
    const runtime = this.runtimes.get(clusterName);
    const clusterError =
      cc === undefined
        ? `cluster ${JSON.stringify(clusterName)} is not in the config`
        : cc.status !== 'ok'
          ? cc.reason
          : this.clusterErrors.get(clusterName);
    if (clusterError !== undefined || runtime === undefined || cc?.status !== 'ok')
      this.refuse(
        config,
        path,
        spell(why),
        clusterError ?? `cluster ${JSON.stringify(clusterName)} is not ready`,
        {
          route: routeRef,
          cluster: clusterName,
        },
      );

    for (const drop of cc.assignment?.dropOverloads ?? []) {
      if (Math.floor(this.random() * 1_000_000) < drop.perMillion)
        this.refuse(
          config,
          path,
          spell(why),
          `dropped by the cluster's drop_overloads (category ${JSON.stringify(drop.category)})`,
          { route: routeRef, cluster: clusterName },
        );
    }

    const timeoutMs = effectiveTimeoutMs(request.timeoutMs, action, config.maxStreamDurationMs);
    if (timeoutMs !== request.timeoutMs)
      why.push(`timeout ${timeoutMs}ms from the route's max_stream_duration`);
    const deadline = timeoutMs === undefined ? undefined : this.clock.now() + timeoutMs;
    const base: Omit<CallDecision, 'target' | 'why'> = {
      configVersion: config.version,
      path,
      virtualHost: vh.name,
      route: routeRef,
      cluster: clusterName,
      endpoint: undefined,
      endpointLabels: undefined,
      locality: undefined,
      priority: undefined,
      attempt: 1,
      timeoutMs,
      error: undefined,
    };

    for (const fault of this.policies.activeFaults(config.httpFilters, vh, entry.route, weighted)) {
      if (!fault.applies(request.header)) continue;
      const decision = fault.injector.decide(request.header);
      if (decision === undefined) continue;
      why.push(
        `fault filter ${JSON.stringify(fault.filterName)}: delay ${decision.delayMs}ms${decision.abort === undefined ? '' : `, abort with code ${decision.abort}`}`,
      );
      let outcome: 'proceed' | 'abort-ok';
      try {
        outcome = await fault.injector.apply(decision, { clock: this.clock, signal: request.signal });
      } catch (err) {
        this.decide({ ...base, why: spell(why), error: (err as Error).message });
        throw err;
      }
      if (outcome === 'abort-ok') return emptyResponse(request);
    }

    const release = runtime.breaker.acquire();
    const hasher = this.policies.hasher(action);
    const retry = request.stream ? undefined : this.policies.retryPolicy(entry.route, vh);
    let streaming = false;
    const attempt = async (n: number, commit: () => void): Promise<CallResponse> => {
      const hash = hasher?.hash(request.header, this.channelId);
      const pick = runtime.balancer.pick(hash === undefined ? undefined : { requestHash: hash });
      if (pick === undefined) {
        const ejected = runtime.balancer.ejected.size;
        const message = `no usable endpoint in cluster ${JSON.stringify(clusterName)} (${runtime.endpoints.length} endpoints, ${ejected} ejected)`;
        this.decide({ ...base, attempt: n, why: spell(why), error: message });
        throw this.unavailable(message);
      }
      const ep = pick.endpoint;
      const steps = why.length; // later steps (retries) belong to later decisions
      const policy = runtime.policyName;
      this.decideLater(() => {
        const locality = localityKey(ep.locality);
        return {
          ...base,
          endpoint: ep.key,
          endpointLabels: ep.labels,
          locality,
          priority: ep.priority,
          attempt: n,
          why: [
            ...spell(why.slice(0, steps)),
            `endpoint ${ep.key} by ${policy} (priority ${ep.priority}, locality ${locality}${hasher ? ', request hash' : ''})`,
          ],
        };
      });
      let header = request.header;
      if (n > 1) {
        header = new Metadata(request.header);
        header.set('grpc-previous-rpc-attempts', String(n - 1));
      }
      const remaining = deadline === undefined ? undefined : Math.max(0, deadline - this.clock.now());
      const req = { ...request, header, timeoutMs: remaining } as CallRequest;
      // The endpoint's transport reports only its address; the caller learns the route and cluster too.
      const report = options.onDestination;
      const endpointOptions: CallOptions = report
        ? {
            ...options,
            onDestination: () =>
              report({
                endpoint: ep.key,
                cluster: clusterName,
                route: routeRef ? routeRef.name || `#${routeRef.index}` : undefined,
                reason: spell(why).join('; '),
              }),
          }
        : options;
      let response: CallResponse;
      try {
        response = await this.transportFor(ep).call(req, endpointOptions);
      } catch (err) {
        const e = RpcError.from(err, Code.UNAVAILABLE);
        pick.done?.();
        runtime.balancer.recordResult(ep, e.code);
        throw e;
      }
      if (!response.stream) {
        pick.done?.();
        runtime.balancer.recordResult(ep, Code.OK);
        return response;
      }
      commit();
      streaming = true;
      return trackStream(response, (code) => {
        pick.done?.();
        runtime.balancer.recordResult(ep, code);
        release();
      });
    };
    try {
      if (retry === undefined) return await attempt(1, () => {});
      return await runWithRetries(retry, (ctx) => attempt(ctx.attempt, () => ctx.commit()), {
        signal: request.signal,
        ...(deadline !== undefined && { deadline }),
        clock: this.clock,
        random: this.random,
        retryGate: runtime.breaker,
        onRetry: (info) =>
          why.push(
            `attempt ${info.attempt} failed with ${Code[info.error.code]}; retrying in ${Math.round(info.delayMs)}ms`,
          ),
      });
    } finally {
      if (!streaming) release();
    }
  }

  private transportFor(ep: MeshEndpoint): GrpcTransport {
    let t = this.transports.get(ep.key);
    if (t === undefined) {
      t = new GrpcTransport({
        ...this.options.grpc,
        address: ep.key,
        pool: this.pool,
        authority: this.target.authority,
      });
      this.transports.set(ep.key, t);
    }
    return t;
  }
}

/** One step of a decision's `why`: a string, or a thunk that spells it out when it is read. */
type Step = string | (() => string);

function spell(steps: readonly Step[]): string[] {
  return steps.map((s) => (typeof s === 'string' ? s : s()));
}
