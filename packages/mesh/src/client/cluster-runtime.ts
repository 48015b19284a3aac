// What a mesh client keeps per cluster across config snapshots: the endpoint balancer (policy,
// locality/priority picker, outlier detection) and the circuit breaker. A new snapshot updates
// them in place: endpoints and limits change without losing in-flight counts or ejections; only a
// changed LB policy or outlier detection config builds a new balancer.
// Envoy: cluster.v3.Cluster lb_policy, circuit_breakers, outlier_detection (gRFC A32, A42, A48, A50).

import type { XdsCluster } from '@shoal/xds/client';
import { ClusterBalancer } from '../lb/cluster-balancer.js';
import type { MeshEndpoint } from '../lb/endpoint.js';
import type { LbPolicyRegistry } from '../lb/lb-policy-registry.js';
import type { EjectionEvent } from '../lb/outlier-detector.js';
import type { ClusterLoad } from '../load-report/load-store.js';
import { CircuitBreaker } from '../resilience/circuit-breaker.js';
import type { Clock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';

export interface ClusterRuntimeOptions {
  readonly registry: LbPolicyRegistry;
  readonly random: Random;
  readonly clock?: Clock;
  readonly onEjection?: (cluster: string, events: readonly EjectionEvent[]) => void;
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

  readonly name: string;

  /** Starts with the cluster's limits; update() applies it and its endpoints. */
  constructor(
    cluster: XdsCluster,
    private readonly options: ClusterRuntimeOptions,
  ) {
    this.name = cluster.name;
    this.breaker = new CircuitBreaker(cluster.name, cluster.circuitBreakers);
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

  /**
   * Applies a cluster and its endpoints from a new snapshot. Throws INVALID_ARGUMENT when the LB
   * registry has no such policy or rejects its config.
   */
  update(
    cluster: XdsCluster,
    endpoints: readonly MeshEndpoint[],
    overprovisioningFactor: number | undefined,
  ): void {
    this.breaker.setThresholds(cluster.circuitBreakers);
    const key = JSON.stringify([
      cluster.lbPolicy,
      cluster.outlierDetection ?? null,
      overprovisioningFactor ?? null,
    ]);
    if (this.balancerValue === undefined || key !== this.balancerKey) {
      // The registry's configs are opaque to the mesh: the xDS policy model is the config.
      const policy = this.options.registry.create(
        cluster.lbPolicy.kind,
        cluster.lbPolicy,
        `${this.name}.lb_policy`,
      );
      const outlierDetection = cluster.outlierDetection;
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
