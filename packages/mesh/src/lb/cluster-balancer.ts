// One cluster's endpoint picking, put together: the locality/priority picker over the current
// EDS endpoints, rebuilt (and swapped in one step) when the endpoints change or outlier detection
// ejects or returns an endpoint; the detector fed from call results. This is the "endpoint" stage
// of a call (gRFC A27 priority/locality, A50 outlier detection; Envoy's cluster load balancer).

import type { Code } from '@shoal/rpc/client';
import type { XdsOutlierDetection } from '@shoal/xds/plugins';
import type { Clock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';
import type { MeshEndpoint } from './endpoint.js';
import { LocalityPicker, type LocalityPickerState } from './locality-picker.js';
import {
  type EjectionEvent,
  OutlierDetector,
  type OutlierOutcome,
  outcomeFromCode,
} from './outlier-detector.js';
import type { LbPolicy, Pick, PickContext } from './picker.js';

/**
 * A ClusterBalancer's policy, outlier detection, overprovisioning and panic threshold, and its clock and
 * random source.
 */
export interface ClusterBalancerOptions {
  readonly policy: LbPolicy;
  readonly random?: Random;
  readonly clock?: Clock;
  /** Undefined: no outlier detection for this cluster. */
  readonly outlierDetection?: XdsOutlierDetection;
  readonly overprovisioningFactor?: number;
  readonly panicThreshold?: number;
  /** Told after each ejection change (for logs, metrics, the console). */
  readonly onEjection?: (events: readonly EjectionEvent[]) => void;
}

/**
 * The balancer of one cluster: priorities and localities, the cluster's LB policy per locality, outlier
 * ejection.
 */
export class ClusterBalancer {
  private picker: LocalityPicker;
  private endpoints: readonly MeshEndpoint[] = [];
  private readonly detector: OutlierDetector | undefined;
  private readonly random: Random;

  constructor(private readonly options: ClusterBalancerOptions) {
    this.random = options.random ?? Math.random;
    this.detector =
      options.outlierDetection === undefined
        ? undefined
        : new OutlierDetector(options.outlierDetection, {
            clock: options.clock,
            random: this.random,
            onChange: (_, events) => {
              this.rebuild();
              options.onEjection?.(events);
            },
          });
    this.picker = this.build();
  }

  /** New EDS endpoints; the picker is swapped in one step. */
  update(endpoints: readonly MeshEndpoint[]): void {
    this.endpoints = endpoints;
    // setEndpoints may un-eject removed endpoints and so rebuild through onChange; build anyway.
    this.detector?.setEndpoints(endpoints.map((e) => e.key));
    this.rebuild();
  }

  pick(ctx?: PickContext): Pick | undefined {
    return this.picker.pick(ctx);
  }

  /** Feeds a finished call's status to outlier detection. */
  recordResult(endpoint: MeshEndpoint, code: Code): void {
    this.detector?.record(endpoint.key, outcomeFromCode(code));
  }

  /** Feeds an outcome decided by the caller (e.g. a connection failure before any status). */
  recordOutcome(endpoint: MeshEndpoint, outcome: OutlierOutcome): void {
    this.detector?.record(endpoint.key, outcome);
  }

  get ejected(): ReadonlySet<string> {
    return this.detector?.ejectedKeys ?? new Set();
  }

  state(): LocalityPickerState & { ejected: string[] } {
    return { ...this.picker.state(), ejected: [...this.ejected] };
  }

  close(): void {
    this.detector?.close();
  }

  private rebuild(): void {
    this.picker = this.build(this.picker);
  }

  private build(previous?: LocalityPicker): LocalityPicker {
    const detector = this.detector;
    return new LocalityPicker(this.endpoints, {
      policy: this.options.policy,
      random: this.random,
      overprovisioningFactor: this.options.overprovisioningFactor,
      panicThreshold: this.options.panicThreshold,
      isExcluded: detector && detector.ejectedKeys.size > 0 ? (e) => detector.isEjected(e.key) : undefined,
      previous,
    });
  }
}
