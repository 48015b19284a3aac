// Priority and locality picking (gRFC A27 and Envoy's priority levels and locality-weighted LB).
// Endpoints are grouped by priority, then by locality. Each priority's health is
// min(100, overprovisioning_factor × usable / total), in percent with Envoy's 1.4 default; the
// healthiest priorities take load first, the rest spills down, and when the total is under 100
// the loads are normalised (Envoy's "normalized total availability"). Within a priority a locality
// is drawn by its load_balancing_weight × its own availability (gRPC weighted_target, Envoy
// locality-weighted LB) and the child policy picks inside it. Hash-based policies get one flat
// list per priority with locality weights folded into endpoint weights (gRFC A42).
// Ejected endpoints (outlier detection) count as unhealthy here: the picker is rebuilt when the
// ejected set changes, so picks never consult it. That is what makes same-zone priority work:
// with the caller's zone at priority 0, traffic stays local until enough of it is ejected or
// unhealthy, fails over to priority 1, and comes back when a rebuild sees it healthy again.

import type { Random } from '../support/random-source.js';
import type { MeshEndpoint } from './endpoint.js';
import { isUsableHealth } from './endpoint.js';
import type { LbPolicy, Pick, PickContext, Picker } from './picker.js';
import { upperBound } from './random.js';

export interface LocalityPickerOptions {
  readonly policy: LbPolicy;
  readonly random: Random;
  /** Envoy: ClusterLoadAssignment.policy.overprovisioning_factor, in percent; default 140. */
  readonly overprovisioningFactor?: number;
  /**
   * Envoy: common_lb_config.healthy_panic_threshold, in percent. Default 0 (off), as Istio sets it:
   * with it on, a priority whose usable share is below it picks from all its endpoints, healthy or not.
   */
  readonly panicThreshold?: number;
  /** Endpoints to treat as unhealthy, e.g. those outlier detection ejected. */
  readonly isExcluded?: (endpoint: MeshEndpoint) => boolean;
  /** The picker this one replaces: child pickers take over their state (least_request counts). */
  readonly previous?: LocalityPicker;
}

/** One priority: its load and how to pick inside it. */
interface PriorityLevel {
  readonly priority: number;
  readonly total: number;
  readonly usable: number;
  /** Percent of calls this level takes. */
  load: number;
  /** Locality children (or one flat child); picked by `cumulative` when more than one. */
  readonly children: Picker[];
  readonly childKeys: string[];
  readonly cumulative: Float64Array;
  /** All endpoints of the level regardless of health, when it is in panic. */
  panic: Picker | undefined;
}

export interface LocalityPickerState {
  readonly priorities: readonly {
    priority: number;
    load: number;
    total: number;
    usable: number;
    panic: boolean;
    localities: readonly { key: string; share: number }[];
  }[];
}

export class LocalityPicker implements Picker {
  private readonly levels: PriorityLevel[];
  private readonly random: Random;
  /** Child pickers by `priority|locality`, for the next rebuild. */
  readonly childrenByKey = new Map<string, Picker>();

  constructor(
    readonly endpoints: readonly MeshEndpoint[],
    options: LocalityPickerOptions,
  ) {
    this.random = options.random;
    const factor = options.overprovisioningFactor ?? 140;
    const panicThreshold = options.panicThreshold ?? 0;
    const excluded = options.isExcluded;
    const usable = (e: MeshEndpoint) => isUsableHealth(e.health) && !(excluded?.(e) ?? false);
    const weighted = !options.policy.hashBased && endpoints.some((e) => e.localityWeight > 0);

    const byPriority = new Map<number, MeshEndpoint[]>();
    for (const e of endpoints) {
      const list = byPriority.get(e.priority);
      if (list) list.push(e);
      else byPriority.set(e.priority, [e]);
    }
    const build = (key: string, list: readonly MeshEndpoint[]): Picker => {
      const child = options.policy.build(list, {
        random: this.random,
        previous: options.previous?.childrenByKey.get(key),
      });
      this.childrenByKey.set(key, child);
      return child;
    };

    this.levels = [];
    const health: number[] = [];
    for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
      const all = byPriority.get(priority)!;
      const up = all.filter(usable);
      const children: Picker[] = [];
      const childKeys: string[] = [];
      const weights: number[] = [];
      if (weighted) {
        const byLocality = new Map<string, MeshEndpoint[]>();
        for (const e of all) {
          const k = e.localityKey;
          const list = byLocality.get(k);
          if (list) list.push(e);
          else byLocality.set(k, [e]);
        }
        for (const [k, list] of byLocality) {
          const ok = list.filter(usable);
          const availability = Math.min(1, (factor * ok.length) / (100 * list.length));
          const w = list[0]!.localityWeight * availability;
          if (ok.length === 0 || w <= 0) continue;
          const key = `${priority}|${k}`;
          children.push(build(key, ok));
          childKeys.push(key);
          weights.push(w);
        }
      } else if (up.length > 0) {
        const key = `${priority}|*`;
        children.push(build(key, options.policy.hashBased ? foldLocalityWeights(up) : up));
        childKeys.push(key);
        weights.push(1);
      }
      const cumulative = new Float64Array(weights.length);
      weights.reduce((sum, w, i) => (cumulative[i] = sum + w), 0);
      const h = children.length === 0 ? 0 : Math.min(100, Math.floor((factor * up.length) / all.length));
      health.push(h);
      const inPanic = panicThreshold > 0 && (up.length * 100) / all.length < panicThreshold;
      this.levels.push({
        priority,
        total: all.length,
        usable: up.length,
        load: 0,
        children,
        childKeys,
        cumulative,
        panic: inPanic ? options.policy.build(all, { random: this.random }) : undefined,
      });
    }
    this.assignLoads(health, panicThreshold > 0);
  }

  /** Envoy's priority load: spill by health, normalised when total availability is under 100. */
  private assignLoads(health: number[], panicEnabled: boolean): void {
    const levels = this.levels;
    const totalAvailability = Math.min(
      100,
      health.reduce((a, b) => a + b, 0),
    );
    if (totalAvailability === 0) {
      // Nothing usable. In panic mode spread by endpoint count, as Envoy does; else nothing is picked.
      if (!panicEnabled) return;
      const hosts = levels.reduce((a, l) => a + l.total, 0);
      let left = 100;
      for (const l of levels) {
        l.load = Math.min(left, Math.floor((100 * l.total) / hosts));
        left -= l.load;
      }
      if (levels[0]) levels[0].load += left;
      return;
    }
    if (totalAvailability === 100) for (const l of levels) l.panic = undefined;
    let left = 100;
    for (let i = 0; i < levels.length; i++) {
      const load = Math.min(left, Math.floor((health[i]! * 100) / totalAvailability));
      levels[i]!.load = load;
      left -= load;
    }
    // Rounding leftovers go to the first level that takes load.
    const first = levels.find((_, i) => health[i]! > 0);
    if (first) first.load += left;
  }

  pick(ctx?: PickContext): Pick | undefined {
    const levels = this.levels;
    // A request hash chooses the priority too, so hash affinity survives a spill (Envoy does so).
    const h = ctx?.requestHash;
    let r = h === undefined ? this.random() * 100 : Number(BigInt.asUintN(64, h) % 100n);
    let level: PriorityLevel | undefined;
    for (let i = 0; i < levels.length; i++) {
      const l = levels[i]!;
      if (r < l.load) {
        level = l;
        break;
      }
      r -= l.load;
    }
    if (level === undefined) return undefined;
    if (level.panic !== undefined) return level.panic.pick(ctx);
    const children = level.children;
    if (children.length === 1) return children[0]!.pick(ctx);
    if (children.length === 0) return undefined;
    const total = level.cumulative[children.length - 1]!;
    return children[upperBound(level.cumulative, this.random() * total)]!.pick(ctx);
  }

  /** Loads and locality shares, for debugging and the console. */
  state(): LocalityPickerState {
    return {
      priorities: this.levels.map((l) => {
        const total = l.cumulative[l.cumulative.length - 1] ?? 0;
        return {
          priority: l.priority,
          load: l.load,
          total: l.total,
          usable: l.usable,
          panic: l.panic !== undefined,
          localities: l.childKeys.map((key, i) => ({
            key: key.slice(key.indexOf('|') + 1),
            share: total === 0 ? 0 : (l.cumulative[i]! - (i === 0 ? 0 : l.cumulative[i - 1]!)) / total,
          })),
        };
      }),
    };
  }
}

/** gRFC A42: a hash policy's endpoint weight is locality weight × endpoint weight. */
function foldLocalityWeights(endpoints: readonly MeshEndpoint[]): MeshEndpoint[] {
  if (!endpoints.some((e) => e.localityWeight > 1)) return [...endpoints];
  return endpoints.map((e) => Object.freeze({ ...e, weight: e.weight * Math.max(1, e.localityWeight) }));
}

export function buildLocalityPicker(
  endpoints: readonly MeshEndpoint[],
  options: LocalityPickerOptions,
): LocalityPicker {
  return new LocalityPicker(endpoints, options);
}
