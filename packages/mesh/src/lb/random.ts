// random (Envoy: load_balancing_policies.random; gRPC has none built in): each call picks an
// endpoint at random, with probability proportional to its weight.

import { Problems } from '@shoal/xds/plugins';
import type { Random } from '../support/random-source.js';
import type { MeshEndpoint } from './endpoint.js';
import type { BuildOptions, LbPolicy, Pick, Picker } from './picker.js';
import { staticPicks } from './picker.js';
import { asObject, refuseIfAny } from './plain-config.js';

export function randomPolicy(config: unknown, path: string): LbPolicy {
  const errors = new Problems();
  asObject(errors, config, path);
  refuseIfAny(errors, 'random config');
  return {
    name: 'random',
    hashBased: false,
    build: (endpoints, options) => new RandomPicker(endpoints, options),
  };
}

class RandomPicker implements Picker {
  private readonly picks: Pick[];
  private readonly random: Random;
  /** Cumulative weights, or undefined when all weights are equal. */
  private readonly cumulative: Float64Array | undefined;
  private readonly total: number;

  constructor(
    readonly endpoints: readonly MeshEndpoint[],
    options: BuildOptions,
  ) {
    this.picks = staticPicks(endpoints);
    this.random = options.random;
    const w0 = endpoints[0]?.weight;
    if (endpoints.every((e) => e.weight === w0)) {
      this.cumulative = undefined;
      this.total = endpoints.length;
    } else {
      this.cumulative = cumulativeWeights(endpoints);
      this.total = this.cumulative[endpoints.length - 1]!;
    }
  }

  pick(): Pick | undefined {
    const n = this.picks.length;
    if (n === 0) return undefined;
    const r = this.random() * this.total;
    if (this.cumulative === undefined) return this.picks[Math.min(Math.floor(r), n - 1)];
    return this.picks[upperBound(this.cumulative, r)];
  }
}

export function cumulativeWeights(endpoints: readonly MeshEndpoint[]): Float64Array {
  const out = new Float64Array(endpoints.length);
  let sum = 0;
  for (let i = 0; i < endpoints.length; i++) {
    sum += endpoints[i]!.weight;
    out[i] = sum;
  }
  return out;
}

/** The first index whose cumulative weight is greater than r (r in [0, total)). */
export function upperBound(cumulative: Float64Array, r: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
