// least_request (gRFC A48, Envoy: load_balancing_policies.least_request). Each call draws
// choice_count endpoints at random (with replacement) and takes the one with the fewest outstanding
// calls; the first drawn wins ties. Endpoint weights are not used, as in A48.
// Outstanding counts live in counter objects keyed by endpoint; a rebuilt picker takes them over,
// so calls in flight during an EDS update still release the right count.

import { Problems } from '@shoal/xds/plugins';
import { type Random, randomIndex } from '../support/random-source.js';
import type { MeshEndpoint } from './endpoint.js';
import type { BuildOptions, LbPolicy, Pick, Picker } from './picker.js';
import { asObject, refuseIfAny } from './plain-config.js';

export interface LeastRequestConfig {
  /** Endpoints drawn per pick: default 2; A48 rejects values below 2 and caps at 10. */
  readonly choiceCount: number;
}

export function leastRequestPolicy(config: unknown, path: string): LbPolicy {
  const errors = new Problems();
  const obj = asObject(errors, config, path);
  let choiceCount = 2;
  const raw = obj.choiceCount;
  if (raw !== undefined) {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 2)
      errors.add(`${path}.choiceCount`, `must be an integer ≥ 2, got ${JSON.stringify(raw)}`);
    else choiceCount = Math.min(raw, 10);
  }
  refuseIfAny(errors, 'least_request config');
  const parsed: LeastRequestConfig = { choiceCount };
  return {
    name: 'least_request',
    hashBased: false,
    build: (endpoints, options) => new LeastRequestPicker(endpoints, options, parsed),
  };
}

/** Outstanding calls to one endpoint. */
interface Counter {
  outstanding: number;
}

export class LeastRequestPicker implements Picker {
  private readonly counters: Counter[];
  private readonly byKey: Map<string, Counter>;
  private readonly random: Random;
  private readonly choiceCount: number;

  constructor(
    readonly endpoints: readonly MeshEndpoint[],
    options: BuildOptions,
    config: LeastRequestConfig,
  ) {
    this.random = options.random;
    this.choiceCount = config.choiceCount;
    const previous = options.previous instanceof LeastRequestPicker ? options.previous.byKey : undefined;
    this.byKey = new Map();
    this.counters = endpoints.map((e) => {
      const c = previous?.get(e.key) ?? this.byKey.get(e.key) ?? { outstanding: 0 };
      this.byKey.set(e.key, c);
      return c;
    });
  }

  /** Outstanding calls to the endpoint with this key (0 if unknown). */
  outstanding(key: string): number {
    return this.byKey.get(key)?.outstanding ?? 0;
  }

  pick(): Pick | undefined {
    const n = this.endpoints.length;
    if (n === 0) return undefined;
    let best = randomIndex(this.random, n);
    let bestCount = this.counters[best]!.outstanding;
    for (let i = 1; i < this.choiceCount; i++) {
      const c = randomIndex(this.random, n);
      const count = this.counters[c]!.outstanding;
      if (count < bestCount) {
        best = c;
        bestCount = count;
      }
    }
    const counter = this.counters[best]!;
    counter.outstanding++;
    return new CountedPick(this.endpoints[best]!, counter);
  }
}

/** A pick whose done() releases its outstanding count exactly once. */
class CountedPick implements Pick {
  private released = false;
  readonly done: () => void;

  constructor(
    readonly endpoint: MeshEndpoint,
    counter: Counter,
  ) {
    this.done = () => {
      if (this.released) return;
      this.released = true;
      counter.outstanding--;
    };
  }
}
