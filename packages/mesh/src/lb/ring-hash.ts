// ring_hash (gRFC A42, Envoy: load_balancing_policies.ring_hash with XX_HASH). Each endpoint gets
// ring entries hashed as XXH64("<hash key>_<n>", 0), as many as its share of the total weight
// scaled to the ring size; a call takes the first entry at or after its request hash (wrapping).
// A call without a request hash gets a random one, as in gRPC.

import { Problems } from '@shoal/xds/plugins';
import type { Random } from '../support/random-source.js';
import type { MeshEndpoint } from './endpoint.js';
import type { LbPolicy, Pick, PickContext, Picker } from './picker.js';
import { staticPicks } from './picker.js';
import { asObject, readInt, refuseIfAny } from './plain-config.js';
import { utf8Bytes, xxHash64Parts } from './xxhash64.js';

export interface RingHashConfig {
  readonly minRingSize: number;
  readonly maxRingSize: number;
  /** gRPC's ring size cap (channel arg grpc.lb.ring_hash.ring_size_cap): both sizes are clamped to it. */
  readonly ringSizeCap: number;
}

const MAX_RING = 8 * 1024 * 1024;

export function parseRingHashConfig(config: unknown, path: string): RingHashConfig {
  const errors = new Problems();
  const obj = asObject(errors, config, path);
  const minRingSize = readInt(errors, obj, 'minRingSize', path, 1024, 1, MAX_RING);
  const maxRingSize = readInt(errors, obj, 'maxRingSize', path, MAX_RING, 1, MAX_RING);
  const ringSizeCap = readInt(errors, obj, 'ringSizeCap', path, 4096, 1, MAX_RING);
  if (minRingSize > maxRingSize)
    errors.add(`${path}.minRingSize`, `must not exceed maxRingSize (${minRingSize} > ${maxRingSize})`);
  refuseIfAny(errors, 'ring_hash config');
  return {
    minRingSize: Math.min(minRingSize, ringSizeCap),
    maxRingSize: Math.min(maxRingSize, ringSizeCap),
    ringSizeCap,
  };
}

export function ringHashPolicy(config: unknown, path: string): LbPolicy {
  const parsed = parseRingHashConfig(config, path);
  return {
    name: 'ring_hash',
    hashBased: true,
    build: (endpoints, options) => new RingHashPicker(endpoints, parsed, options.random),
  };
}

export class RingHashPicker implements Picker {
  private readonly picks: Pick[];
  private readonly hashHi: Uint32Array;
  private readonly hashLo: Uint32Array;
  /** Index into `picks` for each ring entry, in ring order. */
  private readonly owner: Int32Array;

  constructor(
    readonly endpoints: readonly MeshEndpoint[],
    config: RingHashConfig,
    private readonly random: Random,
  ) {
    this.picks = staticPicks(endpoints);
    const entries = buildRing(endpoints, config);
    const n = entries.owner.length;
    const order = Array.from({ length: n }, (_, i) => i);
    const { hi, lo } = entries;
    order.sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]! || a - b);
    this.hashHi = new Uint32Array(n);
    this.hashLo = new Uint32Array(n);
    this.owner = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      this.hashHi[k] = hi[i]!;
      this.hashLo[k] = lo[i]!;
      this.owner[k] = entries.owner[i]!;
    }
  }

  get ringSize(): number {
    return this.owner.length;
  }

  pick(ctx?: PickContext): Pick | undefined {
    const n = this.owner.length;
    if (n === 0) return undefined;
    let hi: number;
    let lo: number;
    const h = ctx?.requestHash;
    if (h === undefined) {
      hi = Math.floor(this.random() * 4294967296) >>> 0;
      lo = Math.floor(this.random() * 4294967296) >>> 0;
    } else {
      const u = BigInt.asUintN(64, h);
      hi = Number(u >> 32n);
      lo = Number(u & 0xffffffffn);
    }
    // Lower bound: the first entry whose hash is ≥ (hi, lo).
    let a = 0;
    let b = n;
    while (a < b) {
      const mid = (a + b) >>> 1;
      const mh = this.hashHi[mid]!;
      if (mh < hi || (mh === hi && this.hashLo[mid]! < lo)) a = mid + 1;
      else b = mid;
    }
    return this.picks[this.owner[a === n ? 0 : a]!];
  }
}

/** The unsorted ring: Envoy's and gRPC's sizing rule. */
function buildRing(
  endpoints: readonly MeshEndpoint[],
  config: RingHashConfig,
): { hi: number[]; lo: number[]; owner: number[] } {
  const out = { hi: [] as number[], lo: [] as number[], owner: [] as number[] };
  if (endpoints.length === 0) return out;
  let total = 0;
  for (const e of endpoints) total += e.weight;
  let minNormalized = 1;
  for (const e of endpoints) minNormalized = Math.min(minNormalized, e.weight / total);
  // Scale so the lightest endpoint gets at least one entry at min size, never past max size.
  const scale = Math.min(Math.ceil(minNormalized * config.minRingSize) / minNormalized, config.maxRingSize);
  const hash = new Uint32Array(2);
  let current = 0;
  let target = 0;
  for (let i = 0; i < endpoints.length; i++) {
    const e = endpoints[i]!;
    target += (scale * e.weight) / total;
    let count = 0;
    while (current < target) {
      xxHash64Parts(utf8Bytes(`${e.hashKey}_${count}`), 0n, hash);
      out.hi.push(hash[0]!);
      out.lo.push(hash[1]!);
      out.owner.push(i);
      count++;
      current++;
    }
  }
  return out;
}
