// round_robin (gRPC's round_robin, Envoy: load_balancing_policies.round_robin). Starts at a random
// offset like gRPC, so many clients do not all hit the first endpoint. When endpoint weights
// differ it is weighted round robin by earliest deadline first, as Envoy's EDF scheduler: each
// endpoint is due every 1/weight, and the one due first is picked.

import { Problems } from '@shoal/xds/plugins';
import { randomIndex } from '../support/random-source.js';
import type { MeshEndpoint } from './endpoint.js';
import type { BuildOptions, LbPolicy, Pick, Picker } from './picker.js';
import { staticPicks } from './picker.js';
import { asObject, refuseIfAny } from './plain-config.js';

export function roundRobinPolicy(config: unknown, path: string): LbPolicy {
  const errors = new Problems();
  asObject(errors, config, path);
  refuseIfAny(errors, 'round_robin config');
  return {
    name: 'round_robin',
    hashBased: false,
    build: (endpoints, options) => buildRoundRobin(endpoints, options),
  };
}

function buildRoundRobin(endpoints: readonly MeshEndpoint[], options: BuildOptions): Picker {
  const w0 = endpoints[0]?.weight;
  if (endpoints.every((e) => e.weight === w0)) return new PlainRoundRobin(endpoints, options);
  return new EdfRoundRobin(endpoints, options);
}

class PlainRoundRobin implements Picker {
  private readonly picks: Pick[];
  private next: number;

  constructor(
    readonly endpoints: readonly MeshEndpoint[],
    options: BuildOptions,
  ) {
    this.picks = staticPicks(endpoints);
    this.next = endpoints.length > 0 ? randomIndex(options.random, endpoints.length) : 0;
  }

  pick(): Pick | undefined {
    const n = this.picks.length;
    if (n === 0) return undefined;
    const p = this.picks[this.next]!;
    this.next = this.next + 1 === n ? 0 : this.next + 1;
    return p;
  }
}

/** Weighted: a binary min-heap of endpoint indices ordered by (deadline, index). */
class EdfRoundRobin implements Picker {
  private readonly picks: Pick[];
  private readonly weight: Float64Array;
  /** Picks so far per endpoint; the next deadline is (picks + 1) / weight, computed fresh so ties stay exact. */
  private readonly picked: Float64Array;
  private readonly deadline: Float64Array;
  private readonly heap: Int32Array;

  constructor(
    readonly endpoints: readonly MeshEndpoint[],
    options: BuildOptions,
  ) {
    const n = endpoints.length;
    this.picks = staticPicks(endpoints);
    this.weight = new Float64Array(n);
    this.picked = new Float64Array(n);
    this.deadline = new Float64Array(n);
    this.heap = new Int32Array(n);
    for (let i = 0; i < n; i++) this.weight[i] = endpoints[i]!.weight;
    this.reset();
    // Random start: skip a random number of picks within the first round.
    const skip = randomIndex(options.random, n);
    for (let i = 0; i < skip; i++) this.pick();
  }

  pick(): Pick | undefined {
    if (this.heap.length === 0) return undefined;
    const i = this.heap[0]!;
    const count = this.picked[i]! + 1;
    this.picked[i] = count;
    this.deadline[i] = (count + 1) / this.weight[i]!;
    this.siftDown(0);
    // After 2^40 picks start a fresh round, long before the counts lose precision.
    if (count > 1099511627776) this.reset();
    return this.picks[i];
  }

  private reset(): void {
    for (let i = 0; i < this.heap.length; i++) {
      this.picked[i] = 0;
      this.deadline[i] = 1 / this.weight[i]!;
      this.heap[i] = i;
    }
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private less(a: number, b: number): boolean {
    const da = this.deadline[a]!;
    const db = this.deadline[b]!;
    return da < db || (da === db && a < b);
  }

  private siftDown(pos: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[pos]!;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(heap[child + 1]!, heap[child]!)) child++;
      if (!this.less(heap[child]!, item)) break;
      heap[pos] = heap[child]!;
      pos = child;
    }
    heap[pos] = item;
  }
}
