// What a mesh client keeps per cluster across config snapshots: the endpoint balancer (policy,
// locality/priority picker, outlier detection) and the circuit breaker. A new snapshot updates
// them in place: endpoints and limits change without losing in-flight counts or ejections; only a
// changed LB policy or outlier detection config builds a new balancer.
// Envoy: cluster.v3.Cluster lb_policy, circuit_breakers, outlier_detection (gRFC A32, A42, A48, A50).

import type { XdsCluster, XdsLbPolicy, XdsOutlierDetection } from '@shoal/xds/client';
import { ClusterBalancer } from '../lb/cluster-balancer.js';
import type { MeshEndpoint } from '../lb/endpoint.js';
import type { LbPolicyRegistry } from '../lb/lb-policy-registry.js';
import type { LbPolicy } from '../lb/picker.js';
import type { Random } from '../lb/random-source.js';
import type { ClusterLoad } from '../load-report/load-store.js';
import { CircuitBreaker, parseCircuitBreakerThresholds } from '../resilience/circuit-breaker.js';
import type { Clock } from '../resilience/clock.js';
import { type OutlierDetectionConfig, parseOutlierDetection } from '../resilience/outlier-config.js';
import type { EjectionEvent } from '../resilience/outlier-detector.js';

export interface ClusterRuntimeOptions {
  readonly registry: LbPolicyRegistry;
  readonly random: Random;
  readonly clock?: Clock;
  readonly onEjection?: (cluster: string, events: readonly EjectionEvent[]) => void;
}

/** The xDS lb policy as a registry entry and its config (the registry's camelCase form). */
export function lbPolicyFromXds(registry: LbPolicyRegistry, p: XdsLbPolicy, path: string): LbPolicy {
  switch (p.kind) {
    case 'least_request':
      return registry.create('least_request', { choiceCount: p.choiceCount }, path);
    case 'ring_hash':
      return registry.create('ring_hash', { minRingSize: p.minRingSize, maxRingSize: p.maxRingSize }, path);
    case 'maglev':
      return registry.create('maglev', { tableSize: p.tableSize }, path);
    default:
      return registry.create(p.kind, {}, path);
  }
}

export function outlierDetectionFromXds(o: XdsOutlierDetection, path: string): OutlierDetectionConfig {
  return parseOutlierDetection(
    {
      intervalMs: o.intervalMs,
      baseEjectionTimeMs: o.baseEjectionTimeMs,
      maxEjectionTimeMs: o.maxEjectionTimeMs,
      maxEjectionPercent: o.maxEjectionPercent,
      consecutive5xx: o.consecutive5xx?.threshold,
      enforcingConsecutive5xx: o.consecutive5xx?.enforcementPercentage ?? 0,
      consecutiveGatewayFailure: o.consecutiveGatewayFailure?.threshold,
      enforcingConsecutiveGatewayFailure: o.consecutiveGatewayFailure?.enforcementPercentage ?? 0,
      successRateStdevFactor: o.successRate?.stdevFactor,
      enforcingSuccessRate: o.successRate?.enforcementPercentage ?? 0,
      successRateMinimumHosts: o.successRate?.minimumHosts,
      successRateRequestVolume: o.successRate?.requestVolume,
      failurePercentageThreshold: o.failurePercentage?.threshold,
      enforcingFailurePercentage: o.failurePercentage?.enforcementPercentage ?? 0,
      failurePercentageMinimumHosts: o.failurePercentage?.minimumHosts,
      failurePercentageRequestVolume: o.failurePercentage?.requestVolume,
    },
    path,
  );
}

export class ClusterRuntime {
  readonly breaker: CircuitBreaker;
  /** The cluster's load, when it reports to an LRS server (gRFC A27). */
  load: ClusterLoad | undefined;
  private balancerValue: ClusterBalancer | undefined;
  /** JSON of the policy and outlier config the balancer was built with. */
  private balancerKey = '';
  private endpointsValue: readonly MeshEndpoint[] = [];
  private policyNameValue = '';

  constructor(
    readonly name: string,
    private readonly options: ClusterRuntimeOptions,
  ) {
    this.breaker = new CircuitBreaker(name);
  }

  get balancer(): ClusterBalancer {
    return this.balancerValue!;
  }

  get endpoints(): readonly MeshEndpoint[] {
    return this.endpointsValue;
  }

  /** The LB policy in use (`round_robin`, `ring_hash`, …). */
  get policyName(): string {
    return this.policyNameValue;
  }

  /** Applies a cluster and its endpoints from a new snapshot. Throws INVALID_ARGUMENT on bad config. */
  update(
    cluster: XdsCluster,
    endpoints: readonly MeshEndpoint[],
    overprovisioningFactor: number | undefined,
  ): void {
    const cb = cluster.circuitBreakers;
    this.breaker.setThresholds(
      parseCircuitBreakerThresholds(
        {
          maxRequests: cb.maxRequests,
          ...(cb.maxPendingRequests !== undefined && { maxPendingRequests: cb.maxPendingRequests }),
          ...(cb.maxRetries !== undefined && { maxRetries: cb.maxRetries }),
        },
        `${this.name}.circuit_breakers`,
      ),
    );
    const key = JSON.stringify([
      cluster.lbPolicy,
      cluster.outlierDetection ?? null,
      overprovisioningFactor ?? null,
    ]);
    if (this.balancerValue === undefined || key !== this.balancerKey) {
      const policy = lbPolicyFromXds(this.options.registry, cluster.lbPolicy, `${this.name}.lb_policy`);
      const outlierDetection =
        cluster.outlierDetection &&
        outlierDetectionFromXds(cluster.outlierDetection, `${this.name}.outlier_detection`);
      this.balancerValue?.close();
      const onEjection = this.options.onEjection;
      this.balancerValue = new ClusterBalancer({
        policy,
        random: this.options.random,
        ...(this.options.clock && { clock: this.options.clock }),
        ...(outlierDetection && { outlierDetection }),
        ...(overprovisioningFactor !== undefined && { overprovisioningFactor }),
        ...(onEjection && {
          onEjection: (events: readonly EjectionEvent[]) => onEjection(this.name, events),
        }),
      });
      this.balancerKey = key;
      this.policyNameValue = policy.name;
    }
    this.endpointsValue = endpoints;
    this.balancerValue.update(endpoints);
  }

  close(): void {
    this.balancerValue?.close();
  }
}
