// shortest_response (Apache Dubbo: ShortestResponseLoadBalance). Each endpoint's expected wait is
// its average successful response time in the current window × (its calls in flight + 1); the
// call goes to the lowest, with ties broken at random by weight. Windows last slidePeriodMs
// (Dubbo's default 30 s) so old latencies fade. Endpoints with no timed call yet expect 0 and get
// tried first. Cost is O(endpoints) per pick, as in Dubbo; stats survive rebuilds like least_request.

import { Problems } from '@shoal/xds/plugins';
import type { Random } from '../support/random-source.js';
import type { MeshEndpoint } from './endpoint.js';
import type { BuildOptions, LbPolicy, Pick, Picker } from './picker.js';
import { asObject, readMs, refuseIfAny } from './plain-config.js';

interface Stats {
  active: number;
  succeeded: number;
  elapsedTotal: number;
  windowStart: number;
}

export function shortestResponsePolicy(config: unknown, path: string): LbPolicy {
  const errors = new Problems();
  const o = asObject(errors, config, path);
  const slidePeriodMs = readMs(errors, o, 'slidePeriodMs', path, 30_000);
  if (o.slidePeriodMs === 0) errors.add(`${path}.slidePeriodMs`, 'must be greater than 0');
  refuseIfAny(errors, 'shortest_response config');
  return {
    name: 'shortest_response',
    hashBased: false,
    build: (endpoints, options) => new ShortestResponsePicker(endpoints, options, slidePeriodMs),
  };
}

export class ShortestResponsePicker implements Picker {
  private readonly stats: Stats[];
  private readonly byKey = new Map<string, Stats>();
  private readonly random: Random;
  private readonly now: () => number;
  /** Scratch for tied candidates, reused across picks. */
  private readonly ties: Int32Array;

  constructor(
    readonly endpoints: readonly MeshEndpoint[],
    options: BuildOptions,
    private readonly slidePeriodMs: number,
  ) {
    this.random = options.random;
    this.now = options.now ?? (() => performance.now());
    const previous = options.previous instanceof ShortestResponsePicker ? options.previous.byKey : undefined;
    const start = this.now();
    this.stats = endpoints.map((e) => {
      const s = previous?.get(e.key) ??
        this.byKey.get(e.key) ?? { active: 0, succeeded: 0, elapsedTotal: 0, windowStart: start };
      this.byKey.set(e.key, s);
      return s;
    });
    this.ties = new Int32Array(endpoints.length);
  }

  /** Expected wait for the endpoint with this key (average success time × (in flight + 1)). */
  estimate(key: string): number | undefined {
    const s = this.byKey.get(key);
    return s === undefined ? undefined : expected(s);
  }

  pick(): Pick | undefined {
    const n = this.endpoints.length;
    if (n === 0) return undefined;
    const now = this.now();
    let best = Number.POSITIVE_INFINITY;
    let count = 0;
    let tieWeight = 0;
    for (let i = 0; i < n; i++) {
      const s = this.stats[i]!;
      if (now - s.windowStart >= this.slidePeriodMs) {
        s.succeeded = 0;
        s.elapsedTotal = 0;
        s.windowStart = now;
      }
      const e = expected(s);
      if (e < best) {
        best = e;
        count = 0;
        tieWeight = 0;
      }
      if (e === best) {
        this.ties[count++] = i;
        tieWeight += this.endpoints[i]!.weight;
      }
    }
    let chosen = this.ties[0]!;
    if (count > 1) {
      let r = this.random() * tieWeight;
      for (let k = 0; k < count; k++) {
        const i = this.ties[k]!;
        r -= this.endpoints[i]!.weight;
        if (r < 0) {
          chosen = i;
          break;
        }
        chosen = i;
      }
    }
    const s = this.stats[chosen]!;
    s.active++;
    const started = now;
    const clock = this.now;
    let open = true;
    return {
      endpoint: this.endpoints[chosen]!,
      done: (ok = true) => {
        if (!open) return;
        open = false;
        s.active--;
        if (ok) {
          s.succeeded++;
          s.elapsedTotal += clock() - started;
        }
      },
    };
  }
}

function expected(s: Stats): number {
  const avg = s.succeeded === 0 ? 0 : s.elapsedTotal / s.succeeded;
  return avg * (s.active + 1);
}
