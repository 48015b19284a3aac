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
  methodPath,
  RpcError,
  SessionPool,
  type Transport,
  trackStream,
} from '@shoal/rpc/client';
import type { MeshMetrics } from '@shoal/telemetry';
import { CertificateProviders, createXdsClient, XdsClient, type XdsClusterWeight } from '@shoal/xds/client';
import { XdsDependencyManager } from '../config/dependency-manager.js';
import type { MeshConfig, MeshConfigUpdate } from '../config/mesh-config.js';
import type { MeshEndpoint } from '../lb/endpoint.js';
import { createLbPolicyRegistry, type LbPolicyRegistry } from '../lb/lb-policy-registry.js';
import type { Random } from '../lb/random-source.js';
import { clusterLoad, reporterFor, startCall } from '../load-report/cluster-load-hook.js';
import type { LoadReporter } from '../load-report/load-reporter.js';
import type { Release } from '../resilience/circuit-breaker.js';
import { type Clock, systemClock } from '../resilience/clock.js';
import { FaultGauge } from '../resilience/fault-injector.js';
import { type AttemptContext, runWithRetries } from '../resilience/retry-policy.js';
import type { RouteEntry } from '../routing/route-table.js';
import { explainTlsFailure } from '../security/upstream-tls.js';
import { countingEjections, tracedAttempt } from './attempt-telemetry.js';
import type { CallDecision } from './call-decision.js';
import { CallPlans } from './call-plan.js';
import { CallPolicies, effectiveTimeoutMs } from './call-policies.js';
import { emptyResponse } from './call-responses.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { ConfigGate } from './config-gate.js';
import { EndpointTransports } from './endpoint-transports.js';
import type { MeshTransportOptions } from './mesh-transport-options.js';
import {
  attemptDecision,
  attemptRequest,
  failedDecision,
  type RoutedCall,
  stepsOf,
  unplannedDecision,
} from './routed-call.js';
import { type MeshTarget, parseMeshTarget } from './target.js';

export type { MeshTransportOptions };

/** A random 64-bit id for this transport: the `io.grpc.channel_id` hash input (gRFC A42). */
function channelId(random: Random): bigint {
  return (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32));
}

export class MeshTransport implements Transport {
  readonly target: MeshTarget;
  private readonly manager: XdsDependencyManager;
  /** The XdsClient made here when none was given; closed with the transport. */
  private readonly ownXds: XdsClient | undefined;
  private readonly random: Random;
  private readonly clock: Clock;
  private readonly registry: LbPolicyRegistry;
  private readonly policies: CallPolicies;
  private readonly runtimes = new Map<string, ClusterRuntime>();
  /** Clusters whose config could not be applied, with why. */
  private clusterErrors = new Map<string, string>();
  private readonly endpoints: EndpointTransports;
  private ownProviders: CertificateProviders | undefined;
  private readonly gate: ConfigGate<MeshConfig>;
  private readonly channelId: bigint;
  private closed = false;
  private last: CallDecision | undefined;
  /** The last decision, not yet built: with no onDecision listener it is made only when read. */
  private lastLater: (() => CallDecision) | undefined;
  /** Per-cluster call plans of the current snapshot. */
  private plans: CallPlans | undefined;
  private readonly metrics: MeshMetrics | undefined;
  private ownReporter: LoadReporter | undefined;

  constructor(private readonly options: MeshTransportOptions) {
    const telemetry = options.telemetry;
    this.ownXds =
      options.xds === undefined
        ? createXdsClient({
            ...(options.bootstrap && {
              bootstrap: telemetry ? telemetry.announce(options.bootstrap) : options.bootstrap,
            }),
            ...(telemetry && { metrics: telemetry.xdsClientMetrics(options.target) }),
          })
        : undefined;
    this.metrics = telemetry?.meshMetrics(options.target);
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
    this.endpoints = new EndpointTransports({
      grpc: options.grpc,
      pool: options.pool ?? new SessionPool(options.grpc ?? {}),
      ownsPool: options.pool === undefined,
      authority: this.target.authority,
      xdsCredentials: options.xdsCredentials !== false,
      providers: () => this.providers(),
    });
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
    this.endpoints.close();
    this.ownProviders?.close();
    this.ownReporter?.close();
  }

  /** The certificate providers of this transport's bootstrap. */
  private providers(): CertificateProviders {
    if (this.options.certificateProviders) return this.options.certificateProviders;
    const source = (this.options.xds ?? this.ownXds) as Partial<XdsClient> | undefined;
    if (source?.certificateProviders) return source.certificateProviders;
    const bootstrap = this.options.bootstrap ?? this.ownXds?.bootstrap;
    if (!bootstrap)
      throw new RpcError(Code.FAILED_PRECONDITION, 'no bootstrap to read certificate_providers from');
    this.ownProviders ??= new CertificateProviders(bootstrap);
    return this.ownProviders;
  }

  private loadReporter(): LoadReporter | undefined {
    if (this.options.loadReporter) return this.options.loadReporter;
    const xds = this.ownXds ?? (this.options.xds instanceof XdsClient ? this.options.xds : undefined);
    this.ownReporter ??= reporterFor(xds);
    return this.ownReporter;
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
          onEjection: countingEjections(this.metrics, this.options.onEjection),
        });
        this.runtimes.set(name, runtime);
      }
      try {
        runtime.update(c.cluster, c.endpoints, c.assignment?.overprovisioningFactor);
        runtime.load = clusterLoad(c.cluster, () => this.loadReporter());
      } catch (err) {
        errors.set(name, `cluster ${JSON.stringify(name)}: ${(err as Error).message}`);
      }
    }
    for (const [name, r] of this.runtimes) {
      if (config.clusters.has(name)) continue;
      r.close();
      this.runtimes.delete(name);
    }
    this.endpoints.update(config, this.runtimes, errors);
    // The swap: from here on every call sees the new routes, clusters and endpoints together.
    this.clusterErrors = errors;
    this.plans = this.makePlans(config);
    this.gate.publish(config);
  }

  private unavailable(message: string): RpcError {
    return new RpcError(Code.UNAVAILABLE, `xDS target ${this.target.target}: ${message}`);
  }

  private decide(d: Omit<CallDecision, 'target'>): CallDecision {
    const decision: CallDecision = { target: this.target.target, ...d };
    this.last = decision;
    this.lastLater = undefined;
    this.options.onDecision?.(decision);
    return decision;
  }

  /** Records a call that failed before reaching an endpoint, and its error for the caller. */
  private refuse(d: Omit<CallDecision, 'target' | 'error'>, error: string): RpcError {
    this.decide({ ...d, error });
    return this.unavailable(error);
  }

  /** Refusals before the call has a plan: no route, or a cluster that cannot take it. */
  private refuseUnplanned(
    config: MeshConfig,
    path: string,
    error: string,
    route?: RouteEntry,
    cluster?: XdsClusterWeight,
  ): RpcError {
    return this.refuse(unplannedDecision(config, path, route, cluster), error);
  }

  /**
   * The synchronous part of a call: route match, weighted cluster, the cluster's plan, drops and
   * the time budget. Throws UNAVAILABLE when the call cannot be routed.
   */
  private routeCall(config: MeshConfig, request: CallRequest): RoutedCall {
    const path = methodPath(request.method);
    const table = config.routeTable;
    const vh = config.virtualHost;
    if (table === undefined || vh === undefined)
      throw this.refuseUnplanned(
        config,
        path,
        `no virtual host in route configuration ${JSON.stringify(config.routeConfig.name)} matches ${JSON.stringify(config.authority)}`,
      );
    const entry = table.match(path, request.header, this.random);
    if (entry === undefined)
      throw this.refuseUnplanned(
        config,
        path,
        `no route in virtual host ${JSON.stringify(vh.name)} matches ${path}`,
      );
    const action = entry.route.action;
    if (action.kind !== 'route') {
      const what = action.kind === 'non_forwarding' ? 'non_forwarding' : action.action;
      throw this.refuseUnplanned(
        config,
        path,
        `route ${JSON.stringify(entry.name)} has a ${what} action, which a client cannot follow`,
        entry,
      );
    }
    const weighted = entry.pickCluster(this.random)!;
    const plans = this.plans?.config === config ? this.plans : this.makePlans(config);
    const plan = plans.get(entry, weighted);
    if (typeof plan === 'string') throw this.refuseUnplanned(config, path, plan, entry, weighted);
    for (const drop of plan.drops) {
      if (Math.floor(this.random() * 1_000_000) < drop.perMillion) {
        plan.runtime.load?.dropped(drop.category);
        throw this.refuseUnplanned(
          config,
          path,
          `dropped by the cluster's drop_overloads (category ${JSON.stringify(drop.category)})`,
          entry,
          weighted,
        );
      }
    }
    const timeoutMs = effectiveTimeoutMs(request.timeoutMs, action, config.maxStreamDurationMs);
    return {
      config,
      request,
      path,
      plan,
      timeoutMs,
      deadline: timeoutMs === undefined ? undefined : this.clock.now() + timeoutMs,
      notes: undefined,
      release: undefined,
    };
  }

  private makePlans(config: MeshConfig): CallPlans {
    return new CallPlans(config, this.runtimes, this.clusterErrors, this.policies);
  }

  private route(config: MeshConfig, request: CallRequest, options: CallOptions): Promise<CallResponse> {
    let call: RoutedCall;
    try {
      call = this.routeCall(config, request);
    } catch (err) {
      return Promise.reject(err);
    }
    return call.plan.faults.length === 0 ? this.dispatch(call, options) : this.injectFaults(call, options);
  }

  /** Fault filters (A33) run before the call takes a circuit-breaker slot. */
  private async injectFaults(call: RoutedCall, options: CallOptions): Promise<CallResponse> {
    const header = call.request.header;
    for (const fault of call.plan.faults) {
      if (!fault.applies(header)) continue;
      const decision = fault.injector.decide(header);
      if (decision === undefined) continue;
      const metrics = this.metrics;
      if (metrics !== undefined) {
        if (decision.delayMs > 0) metrics.faultInjected(call.plan.weighted.name, 'delay');
        if (decision.abort !== undefined) metrics.faultInjected(call.plan.weighted.name, 'abort');
      }
      (call.notes ??= []).push(
        `fault filter ${JSON.stringify(fault.filterName)}: delay ${decision.delayMs}ms${decision.abort === undefined ? '' : `, abort with code ${decision.abort}`}`,
      );
      let outcome: 'proceed' | 'abort-ok';
      try {
        outcome = await fault.injector.apply(decision, { clock: this.clock, signal: call.request.signal });
      } catch (err) {
        this.decide(failedDecision(call, 1, (err as Error).message));
        throw err;
      }
      if (outcome === 'abort-ok') return emptyResponse(call.request);
    }
    return this.dispatch(call, options);
  }

  /** Takes a circuit-breaker slot (A32) and runs the attempts, with retries (A44) for single-request calls. */
  private dispatch(call: RoutedCall, options: CallOptions): Promise<CallResponse> {
    const { runtime } = call.plan;
    let release: Release;
    try {
      release = runtime.breaker.acquire();
    } catch (err) {
      this.metrics?.circuitBreakerRejected(call.plan.weighted.name);
      return Promise.reject(err);
    }
    call.release = release;
    const retry = call.request.stream ? undefined : call.plan.retry;
    const result =
      retry === undefined
        ? this.attempt(call, options, 1, undefined)
        : runWithRetries(retry, (ctx) => this.attempt(call, options, ctx.attempt, ctx), {
            signal: call.request.signal,
            deadline: call.deadline,
            clock: this.clock,
            random: this.random,
            retryGate: runtime.breaker,
            onRetry: (info) => {
              this.metrics?.retried(call.plan.weighted.name, info.error.code);
              (call.notes ??= []).push(
                `attempt ${info.attempt} failed with ${Code[info.error.code]}; retrying in ${Math.round(info.delayMs)}ms`,
              );
            },
          });
    // A streamed response holds the slot until the stream ends (trackStream releases it).
    return result.then(
      (response) => {
        if (!response.stream) release();
        return response;
      },
      (err: unknown) => {
        release();
        throw err;
      },
    );
  }

  /** One attempt: an endpoint by the cluster's LB policy, then the call on its connection. */
  private attempt(
    call: RoutedCall,
    options: CallOptions,
    n: number,
    ctx: AttemptContext | undefined,
  ): Promise<CallResponse> {
    const { runtime, hasher } = call.plan;
    // A66: an attempt starts before its pick, so an attempt that finds no endpoint is counted.
    const attempt = call.request.tracer?.startAttempt();
    const hash = hasher?.hash(call.request.header, this.channelId);
    const pick = runtime.balancer.pick(hash === undefined ? undefined : { requestHash: hash });
    if (pick === undefined) {
      const ejected = runtime.balancer.ejected.size;
      const message = `no usable endpoint in cluster ${JSON.stringify(call.plan.weighted.name)} (${runtime.endpoints.length} endpoints, ${ejected} ejected)`;
      this.decide(failedDecision(call, n, message));
      attempt?.onEnd(Code.UNAVAILABLE);
      return Promise.reject(this.unavailable(message));
    }
    const ep = pick.endpoint;
    this.recordAttempt(call, ep, runtime.policyName, n);
    const loadEnd = startCall(runtime.load, ep);
    const plain = attemptRequest(call, n, this.clock.now());
    const request = attempt === undefined ? plain : tracedAttempt(plain, attempt, call, ep);
    // The endpoint's transport reports only its address; the caller learns the route and cluster too.
    const report = options.onDestination;
    const endpointOptions: CallOptions = report
      ? {
          ...options,
          onDestination: () =>
            report({
              endpoint: ep.key,
              cluster: call.plan.weighted.name,
              route: call.plan.entry.name,
              reason: stepsOf(call).join('; '),
            }),
        }
      : options;
    const tls = this.endpoints.tlsOf(call.plan.weighted.name);
    const sent =
      tls === undefined || tls.material.isReady
        ? this.endpoints.get(ep, tls).call(request, endpointOptions)
        : // The first calls wait for the workload certificate (within their deadline).
          tls.material
            .ready(call.deadline === undefined ? 10_000 : Math.max(0, call.deadline - this.clock.now()))
            .then(
              () => this.endpoints.get(ep, tls).call(request, endpointOptions),
              (err: Error) => Promise.reject(new RpcError(Code.UNAVAILABLE, err.message)),
            );
    return sent.then(
      (response) => {
        if (!response.stream) {
          pick.done?.();
          loadEnd?.(true);
          runtime.balancer.recordResult(ep, Code.OK);
          return response;
        }
        ctx?.commit();
        return trackStream(response, (code) => {
          pick.done?.();
          loadEnd?.(code === Code.OK);
          runtime.balancer.recordResult(ep, code);
          call.release?.();
        });
      },
      (err: unknown) => {
        let e = RpcError.from(err, Code.UNAVAILABLE);
        if (tls !== undefined) e = explainTlsFailure(e, ep.key, call.plan.weighted.name);
        pick.done?.();
        loadEnd?.(false);
        runtime.balancer.recordResult(ep, e.code);
        throw e;
      },
    );
  }

  /**
   * The decision for an attempt: made now when someone listens, else only when lastDecision is
   * read. Notes made after this attempt (later retries) belong to later decisions.
   */
  private recordAttempt(call: RoutedCall, ep: MeshEndpoint, policy: string, n: number): void {
    const notes = call.notes?.length ?? 0;
    if (this.options.onDecision !== undefined) {
      this.decide(attemptDecision(call, ep, policy, n, notes));
      return;
    }
    this.lastLater = () => ({ target: this.target.target, ...attemptDecision(call, ep, policy, n, notes) });
  }
}
