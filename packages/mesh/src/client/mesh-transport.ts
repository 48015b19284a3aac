// The mesh-aware client transport: an @shoal/rpc Transport for an xDS target (gRFC A27). It
// keeps the target's config: the dependency manager assembles complete snapshots (A74), which
// bring the cluster runtimes up to date and are then swapped in for calls in one step. A call
// waits for the first snapshot (config-gate.ts), then goes down these steps, one file each:
//   route-call.ts     route match (A28), cluster by weight, the cluster's plan, drops, timeout (A31)
//   filter-call.ts    the route's HTTP filters (A39; fault injection, A33), ending in the router:
//   dispatch-call.ts  circuit breaker (A32), retries (A44) for single-request calls
//   attempt-call.ts   endpoint by the cluster's LB policy (A42/A48, localities and priorities,
//                     outlier ejections A50) → that endpoint's transport (endpoint-transports.ts:
//                     mutual TLS for clusters with an UpstreamTlsContext, A29), and the result
//                     back to the balancer and outlier detection.
// Each step records its decision (call-decision.ts) for onDecision and lastDecision, and tells
// telemetry (attempt-telemetry.ts) and load reporting (../load-report/) what it did.

import type { CallOptions, CallRequest, CallResponse, Transport } from '@shoal/rpc/client';
import { Code, RpcError } from '@shoal/rpc/client';
import { SessionPool } from '@shoal/rpc/plugins';
import { createXdsClient, XdsClient } from '@shoal/xds/client';
import { CertificateProviders } from '@shoal/xds/plugins';
import { XdsDependencyManager } from '../config/dependency-manager.js';
import type { MeshConfig, MeshConfigUpdate } from '../config/mesh-config.js';
import type { HttpFilterPlugins } from '../filters/http-filter.js';
import { createHttpFilterRegistry } from '../filters/http-filter-registry.js';
import { createLbPolicyRegistry } from '../lb/lb-policy-registry.js';
import { reporterFor } from '../load-report/cluster-load-hook.js';
import type { LoadReporter } from '../load-report/load-reporter.js';
import { systemClock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';
import { countingEjections } from './attempt-telemetry.js';
import { type CallDecision, DecisionLog } from './call-decision.js';
import type { CallEnv } from './call-env.js';
import { CallPlans } from './call-plan.js';
import { ClusterRuntimes } from './cluster-runtimes.js';
import { ConfigGate } from './config-gate.js';
import { dispatchCall } from './dispatch-call.js';
import { EndpointTransports } from './endpoint-transports.js';
import { filterCall } from './filter-call.js';
import type { MeshTransportOptions } from './mesh-transport-options.js';
import { routeCall } from './route-call.js';
import type { RoutedCall } from './routed-call.js';
import { type MeshTarget, parseMeshTarget } from './target.js';

export type { MeshTransportOptions };

/** A random 64-bit id for this transport: the `io.grpc.channel_id` hash input (gRFC A42). */
function channelId(random: Random): bigint {
  return (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32));
}

/**
 * The mesh-aware transport: for each call, route match, cluster, endpoint, HTTP filters and retries, over the
 * endpoint's own transport.
 */
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
  /** The load reporter made here when none was given (on the first cluster that reports). */
  private ownReporter: LoadReporter | undefined;
  /** Certificate providers made here when neither the options nor the XdsClient have them. */
  private ownProviders: CertificateProviders | undefined;
  private closed = false;

  constructor(private readonly options: MeshTransportOptions) {
    const telemetry = options.telemetry;
    this.httpFilters = options.httpFilters ?? createHttpFilterRegistry();
    this.ownXds =
      options.xds === undefined
        ? createXdsClient({
            httpFilters: this.httpFilters,
            ...(options.bootstrap && {
              bootstrap: telemetry ? telemetry.announce(options.bootstrap) : options.bootstrap,
            }),
            ...(telemetry && { metrics: telemetry.xdsClientMetrics(options.target) }),
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
    const metrics = telemetry?.meshMetrics(options.target);
    this.ownsPool = options.pool === undefined;
    this.pool = options.pool ?? new SessionPool(options.grpc ?? {});
    this.env = {
      clock,
      random,
      channelId: channelId(random),
      metrics,
      decisions: new DecisionLog(this.target.target, options.onDecision),
      endpoints: new EndpointTransports({
        pool: this.pool,
        authority: this.target.authority,
        grpc: options.grpc,
        make: options.endpointTransport,
        xdsCredentials: options.xdsCredentials !== false,
        providers: () => this.providers(),
      }),
    };
    this.runtimes = new ClusterRuntimes(
      {
        registry: options.lbPolicies ?? createLbPolicyRegistry(),
        random,
        clock,
        onEjection: countingEjections(metrics, options.onEjection),
      },
      () => this.loadReporter(),
    );
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
    this.ownReporter?.close();
    this.ownProviders?.close();
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
    const { clock, random, metrics } = this.env;
    return new CallPlans(config, this.runtimes, this.env.endpoints, this.httpFilters, {
      clock,
      random,
      metrics,
    });
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

  /** Where clusters with lrs_server report: the given reporter, or one made here on first need. */
  private loadReporter(): LoadReporter | undefined {
    if (this.options.loadReporter) return this.options.loadReporter;
    const xds = this.ownXds ?? (this.options.xds instanceof XdsClient ? this.options.xds : undefined);
    this.ownReporter ??= reporterFor(xds);
    return this.ownReporter;
  }

  private onUpdate(update: MeshConfigUpdate): void {
    this.options.onConfig?.(update);
    if (update.kind === 'error') {
      this.gate.fail(this.env.decisions.unavailable(update.message), update.fatal);
      return;
    }
    const config = update.config;
    this.runtimes.apply(config);
    const endpoints = this.env.endpoints;
    endpoints.update(config);
    endpoints.keepOnly(this.runtimes.endpointKeys((cluster, ep) => endpoints.keyOf(cluster, ep)));
    // The swap: from here on every call sees the new routes, clusters and endpoints together.
    this.plans = this.makePlans(config);
    this.gate.publish(config);
  }
}
