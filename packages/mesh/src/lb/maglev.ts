// maglev (Envoy: load_balancing_policies.maglev; Eisenbud et al., "Maglev", NSDI 2016). Every
// endpoint walks its own permutation of a prime-sized table (offset and skip from two XXH64
// hashes of its hash key, seeds 0 and 1) and claims free slots in turn; an endpoint with a lower
// weight skips turns in proportion. A call takes table[request hash mod size]. Endpoints are
// ordered by hash key first, so the table does not depend on EDS order.

import { Problems } from '@shoal/xds/plugins';
import type { Random } from '../support/random-source.js';
import type { MeshEndpoint } from './endpoint.js';
import type { LbPolicy, Pick, PickContext, Picker } from './picker.js';
import { staticPicks } from './picker.js';
import { asObject, readInt, refuseIfAny } from './plain-config.js';
import { utf8Bytes, xxHash64Parts } from './xxhash64.js';

export interface MaglevConfig {
  /** A prime, default 65537 (Envoy's default and maximum 5000011). */
  readonly tableSize: number;
}

const MAX_TABLE = 5000011;

function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

export function maglevPolicy(config: unknown, path: string): LbPolicy {
  const errors = new Problems();
  const obj = asObject(errors, config, path);
  const tableSize = readInt(errors, obj, 'tableSize', path, 65537, 2, MAX_TABLE);
  if (!isPrime(tableSize)) errors.add(`${path}.tableSize`, `must be a prime number, got ${tableSize}`);
  refuseIfAny(errors, 'maglev config');
  const parsed: MaglevConfig = { tableSize };
  return {
    name: 'maglev',
    hashBased: true,
    build: (endpoints, options) => new MaglevPicker(endpoints, parsed, options.random),
  };
}

/** (hi·2^32 + lo) mod m, exact in doubles for any m up to 2^26. */
function mod64(hi: number, lo: number, m: number): number {
  return ((((hi % m) * (4294967296 % m)) % m) + (lo % m)) % m;
}

export class MaglevPicker implements Picker {
  private readonly picks: Pick[];
  /** Index into `picks` for each slot. */
  private readonly table: Int32Array;

  constructor(
    readonly endpoints: readonly MeshEndpoint[],
    config: MaglevConfig,
    private readonly random: Random,
  ) {
    this.picks = staticPicks(endpoints);
    this.table = buildTable(endpoints, config.tableSize);
  }

  /** The table (endpoint index per slot), for tests and debugging. */
  get slots(): Int32Array {
    return this.table;
  }

  pick(ctx?: PickContext): Pick | undefined {
    if (this.endpoints.length === 0) return undefined;
    const m = this.table.length;
    const h = ctx?.requestHash;
    let slot: number;
    if (h === undefined) slot = Math.floor(this.random() * m) % m;
    else {
      const u = BigInt.asUintN(64, h);
      slot = mod64(Number(u >> 32n), Number(u & 0xffffffffn), m);
    }
    return this.picks[this.table[slot]!];
  }
}

function buildTable(endpoints: readonly MeshEndpoint[], m: number): Int32Array {
  const table = new Int32Array(m).fill(-1);
  const n = endpoints.length;
  if (n === 0) return table;
  const order = endpoints
    .map((_, i) => i)
    .sort((a, b) => {
      const ka = endpoints[a]!.hashKey;
      const kb = endpoints[b]!.hashKey;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
  const offset = new Float64Array(n);
  const skip = new Float64Array(n);
  const next = new Float64Array(n);
  const weight = new Float64Array(n);
  const target = new Float64Array(n);
  const h = new Uint32Array(2);
  let maxWeight = 0;
  for (let k = 0; k < n; k++) {
    const e = endpoints[order[k]!]!;
    const key = utf8Bytes(e.hashKey);
    xxHash64Parts(key, 0n, h);
    offset[k] = mod64(h[0]!, h[1]!, m);
    xxHash64Parts(key, 1n, h);
    skip[k] = mod64(h[0]!, h[1]!, m - 1) + 1;
    weight[k] = e.weight;
    maxWeight = Math.max(maxWeight, e.weight);
  }
  let filled = 0;
  for (let iteration = 1; filled < m; iteration++) {
    for (let k = 0; k < n && filled < m; k++) {
      // An endpoint at the max weight claims a slot every iteration; one at a third of it, every third.
      if (iteration * weight[k]! < target[k]!) continue;
      target[k] = target[k]! + maxWeight;
      let c = (offset[k]! + skip[k]! * next[k]!) % m;
      while (table[c] !== -1) {
        next[k] = next[k]! + 1;
        c = (offset[k]! + skip[k]! * next[k]!) % m;
      }
      table[c] = order[k]!;
      next[k] = next[k]! + 1;
      filled++;
    }
  }
  return table;
}
