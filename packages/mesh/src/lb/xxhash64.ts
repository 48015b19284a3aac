// xxHash64 (XXH64, Yann Collet's xxHash spec), used by ring hash (gRFC A42, Envoy's HashUtil) and
// Maglev. 64-bit arithmetic runs on two uint32 halves so hashing allocates no BigInt on the way;
// only the final result is a bigint.

/** A mutable unsigned 64-bit value as two uint32 halves. */
class U64 {
  constructor(
    public hi: number,
    public lo: number,
  ) {}

  set(o: U64): this {
    this.hi = o.hi;
    this.lo = o.lo;
    return this;
  }

  add(o: U64): this {
    const lo = this.lo + o.lo;
    this.hi = (this.hi + o.hi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    this.lo = lo >>> 0;
    return this;
  }

  xor(o: U64): this {
    this.hi = (this.hi ^ o.hi) >>> 0;
    this.lo = (this.lo ^ o.lo) >>> 0;
    return this;
  }

  /** this = this × o mod 2^64. The low halves multiply in 16-bit pieces so no double loses bits. */
  mul(o: U64): this {
    const a = this.lo;
    const b = o.lo;
    const a0 = a & 0xffff;
    const a1 = a >>> 16;
    const b0 = b & 0xffff;
    const b1 = b >>> 16;
    let t = a0 * b0;
    const w0 = t & 0xffff;
    t = a1 * b0 + (t >>> 16);
    const w1 = t & 0xffff;
    const w2 = t >>> 16; // every partial sum here stays below 2^32
    t = a0 * b1 + w1;
    const lo = ((t << 16) | w0) >>> 0;
    const hiOfLow = a1 * b1 + w2 + (t >>> 16);
    this.hi = (hiOfLow + Math.imul(a, o.hi) + Math.imul(this.hi, b)) >>> 0;
    this.lo = lo;
    return this;
  }

  /** Rotate left by r, 0 < r < 32 (all of XXH64's rotations are). */
  rotl(r: number): this {
    const hi = this.hi;
    const lo = this.lo;
    this.hi = ((hi << r) | (lo >>> (32 - r))) >>> 0;
    this.lo = ((lo << r) | (hi >>> (32 - r))) >>> 0;
    return this;
  }

  /** this ^= this >>> n, for 32 ≤ n < 64 or 0 < n < 32. */
  xorShiftRight(n: number): this {
    if (n >= 32) {
      this.lo = (this.lo ^ (this.hi >>> (n - 32))) >>> 0;
    } else {
      this.lo = (this.lo ^ ((this.lo >>> n) | (this.hi << (32 - n)))) >>> 0;
      this.hi = (this.hi ^ (this.hi >>> n)) >>> 0;
    }
    return this;
  }
}

const P1 = new U64(0x9e3779b1, 0x85ebca87);
const P2 = new U64(0xc2b2ae3d, 0x27d4eb4f);
const P3 = new U64(0x165667b1, 0x9e3779f9);
const P4 = new U64(0x85ebca77, 0xc2b2ae63);
const P5 = new U64(0x27d4eb2f, 0x165667c5);

function read32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/** Reads a little-endian uint64 at `i` into `into`. */
function load(into: U64, b: Uint8Array, i: number): U64 {
  into.hi = read32(b, i + 4);
  into.lo = read32(b, i);
  return into;
}

/** acc = rotl(acc + input × P2, 31) × P1; `tmp` is scratch. */
function round(acc: U64, input: U64, tmp: U64): void {
  tmp.set(input).mul(P2);
  acc.add(tmp).rotl(31).mul(P1);
}

/** The hash as two uint32 halves, written into `out` ([hi, lo]). */
export function xxHash64Parts(input: Uint8Array, seed: bigint, out: Uint32Array): void {
  const seedHi = seed === 0n ? 0 : Number((seed >> 32n) & 0xffffffffn);
  const seedLo = seed === 0n ? 0 : Number(seed & 0xffffffffn);
  const len = input.length;
  const h = new U64(seedHi, seedLo);
  const tmp = new U64(0, 0);
  const lane = new U64(0, 0);
  let i = 0;
  if (len >= 32) {
    const v1 = new U64(seedHi, seedLo).add(P1).add(P2);
    const v2 = new U64(seedHi, seedLo).add(P2);
    const v3 = new U64(seedHi, seedLo);
    // seed - P1 = seed + (2^64 - P1)
    const v4 = new U64(seedHi, seedLo).add(new U64(~P1.hi >>> 0, ~P1.lo >>> 0)).add(new U64(0, 1));
    for (; i + 32 <= len; i += 32) {
      round(v1, load(lane, input, i), tmp);
      round(v2, load(lane, input, i + 8), tmp);
      round(v3, load(lane, input, i + 16), tmp);
      round(v4, load(lane, input, i + 24), tmp);
    }
    h.set(v1).rotl(1);
    h.add(tmp.set(v2).rotl(7)).add(tmp.set(v3).rotl(12)).add(tmp.set(v4).rotl(18));
    const merged = new U64(0, 0);
    for (const v of [v1, v2, v3, v4]) {
      merged.hi = 0;
      merged.lo = 0;
      round(merged, v, tmp);
      h.xor(merged).mul(P1).add(P4);
    }
  } else {
    h.add(P5);
  }
  tmp.hi = Math.floor(len / 4294967296);
  tmp.lo = len >>> 0;
  h.add(tmp);
  const k = new U64(0, 0);
  for (; i + 8 <= len; i += 8) {
    k.hi = 0;
    k.lo = 0;
    round(k, load(lane, input, i), tmp);
    h.xor(k).rotl(27).mul(P1).add(P4);
  }
  if (i + 4 <= len) {
    tmp.hi = 0;
    tmp.lo = read32(input, i);
    h.xor(tmp.mul(P1)).rotl(23).mul(P2).add(P3);
    i += 4;
  }
  for (; i < len; i++) {
    tmp.hi = 0;
    tmp.lo = input[i]!;
    h.xor(tmp.mul(P5)).rotl(11).mul(P1);
  }
  h.xorShiftRight(33).mul(P2).xorShiftRight(29).mul(P3).xorShiftRight(32);
  out[0] = h.hi;
  out[1] = h.lo;
}

/** A string's UTF-8 bytes; ASCII (hash keys, most header values) skips the slow general encoder. */
export function utf8Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return Buffer.from(s, 'utf8');
    out[i] = c;
  }
  return out;
}

/** XXH64 of the bytes, or of a string's UTF-8 encoding, with the given seed (0 by default). */
export function xxHash64(input: Uint8Array | string, seed = 0n): bigint {
  const out = new Uint32Array(2);
  xxHash64Parts(typeof input === 'string' ? utf8Bytes(input) : input, seed, out);
  return (BigInt(out[0]!) << 32n) | BigInt(out[1]!);
}
