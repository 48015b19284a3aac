// A transport's cluster runtimes (cluster-runtime.ts) by name, brought up to date with each
// snapshot before it is published: new clusters get one, changed ones are updated in place,
// removed ones are closed. A cluster whose config the runtime refuses (an unknown LB policy, a
// policy config it rejects) is kept aside with why, and calls routed to it fail with that. A
// cluster whose CDS resource says lrs_server: self gets its load counted (gRFC A27).

import type { MeshConfig } from '../config/mesh-config.js';
import { clusterLoad } from '../load-report/cluster-load-hook.js';
import type { LoadReporter } from '../load-report/load-reporter.js';
import { ClusterRuntime, type ClusterRuntimeOptions } from './cluster-runtime.js';

export class ClusterRuntimes {
  private readonly runtimes = new Map<string, ClusterRuntime>();
  /** Clusters of the current snapshot whose config could not be applied, with why. */
  private errors: ReadonlyMap<string, string> = new Map();

  constructor(
    private readonly options: ClusterRuntimeOptions,
    /** Where reporting clusters report; called on the first one that does. */
    private readonly loadReporter: () => LoadReporter | undefined,
  ) {}

  /** Applies a snapshot's clusters and endpoints. */
  apply(config: MeshConfig): void {
    const errors = new Map<string, string>();
    for (const [name, c] of config.clusters) {
      if (c.status !== 'ok') continue;
      let runtime = this.runtimes.get(name);
      if (runtime === undefined) {
        runtime = new ClusterRuntime(c.cluster, this.options);
        this.runtimes.set(name, runtime);
      }
      try {
        runtime.update(c.cluster, c.endpoints, c.assignment?.overprovisioningFactor);
        runtime.load = clusterLoad(c.cluster, this.loadReporter);
      } catch (err) {
        errors.set(name, `cluster ${JSON.stringify(name)}: ${(err as Error).message}`);
      }
    }
    for (const [name, r] of this.runtimes) {
      if (config.clusters.has(name)) continue;
      r.close();
      this.runtimes.delete(name);
    }
    this.errors = errors;
  }

  /** The cluster's runtime, or why it cannot take calls. */
  get(name: string): ClusterRuntime | string {
    return this.errors.get(name) ?? this.runtimes.get(name) ?? `cluster ${JSON.stringify(name)} is not ready`;
  }

  /** Every endpoint key of every cluster, as `keyOf` makes it (default: the endpoint's). */
  endpointKeys(keyOf: (cluster: string, endpoint: string) => string = (_c, e) => e): Set<string> {
    const keys = new Set<string>();
    for (const [name, r] of this.runtimes) for (const e of r.endpoints) keys.add(keyOf(name, e.key));
    return keys;
  }

  /** Per cluster: picker loads, localities and ejected endpoints. */
  state(): Record<string, ReturnType<ClusterRuntime['balancer']['state']>> {
    const out: Record<string, ReturnType<ClusterRuntime['balancer']['state']>> = {};
    for (const [name, r] of this.runtimes) out[name] = r.balancer.state();
    return out;
  }

  close(): void {
    for (const r of this.runtimes.values()) r.close();
    this.runtimes.clear();
  }
}
