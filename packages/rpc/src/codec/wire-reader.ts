// Reads protobuf wire primitives (protobuf encoding spec) off a byte array by position. It is
// strict: anything out of bounds or malformed throws, and the caller then lets protobuf-es read
// the same bytes, so a malformed message fails (or is tolerated) exactly as protobuf-es decides.

const EMPTY = Buffer.alloc(0);

export class WireReader {
  pos = 0;
  /** The low and high 32 bits of the last varint64 read. */
  lo = 0;
  hi = 0;

  buf: Uint8Array = EMPTY;
  /** Where the input ends: nothing at or past it is read. */
  end = 0;
  /** The input as a Buffer (for latin1 slices), made when it is a plain Uint8Array. */
  private text: Buffer | undefined;

  /**
   * Starts on `buf` from `start` to `end` (EMPTY when done, so a reader kept for reuse holds no
   * input).
   */
  reset(buf: Uint8Array, start = 0, end = buf.length): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.text = Buffer.isBuffer(buf) ? buf : undefined;
    return this;
  }

  /** Bytes `start`..`end` as latin1 text (ASCII, as the caller checked). */
  latin1(start: number, end: number): string {
    this.text ??= Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    return this.text.latin1Slice(start, end);
  }

  varint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    if (b < 0x80) {
      if (pos > this.end) throw outOfBounds();
      this.pos = pos;
      return b;
    }
    let value = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      b = buf[pos++]!;
      value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        if (pos > this.end) throw outOfBounds();
        this.pos = pos;
        return value >>> 0;
      }
    }
    // The fifth byte carries bits 28–31; a longer varint (a negative int32) is read as 64 bits.
    b = buf[pos++]!;
    value |= (b & 0x0f) << 28;
    for (let i = 5; b >= 0x80; i++) {
      if (i >= 10) throw new Error('invalid varint');
      b = buf[pos++]!;
    }
    if (pos > this.end) throw outOfBounds();
    this.pos = pos;
    return value >>> 0;
  }

  /** Reads a 64-bit varint into `lo` and `hi`. */
  varint64(): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.done64(pos, lo, hi);
        return;
      }
    }
    b = buf[pos++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x70) >> 4;
    if (b < 0x80) {
      this.done64(pos, lo, hi);
      return;
    }
    for (let shift = 3; shift <= 31; shift += 7) {
      b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.done64(pos, lo, hi);
        return;
      }
    }
    throw new Error('invalid varint');
  }

  private done64(pos: number, lo: number, hi: number): void {
    if (pos > this.end) throw outOfBounds();
    this.pos = pos;
    this.lo = lo;
    this.hi = hi;
  }

  /**
   * Reads a length prefix and returns where the bytes it counts end; throws if that is past the
   * input's end.
   */
  delimitedEnd(): number {
    const end = this.varint32() + this.pos;
    if (end > this.end) throw outOfBounds();
    return end;
  }

  /** Throws unless a bounded read stopped exactly at its `end` (a value ran past it). */
  endedAt(end: number): void {
    if (this.pos !== end) throw outOfBounds();
  }

  /** Advances by `n` bytes; returns where they start. */
  take(n: number): number {
    const start = this.pos;
    if (start + n > this.end) throw outOfBounds();
    this.pos = start + n;
    return start;
  }

  /**
   * Skips one value of `wireType` (a group up to its matching end tag); returns the skipped
   * bytes, which an unknown field keeps.
   */
  skip(wireType: number, fieldNo: number, depth: number): Uint8Array {
    const start = this.pos;
    switch (wireType) {
      case 0:
        this.varint64();
        break;
      case 1:
        this.take(8);
        break;
      case 2:
        this.take(this.varint32());
        break;
      case 3:
        if (depth <= 0) throw new Error('maximum recursion depth reached');
        for (;;) {
          const tag = this.varint32();
          if ((tag & 7) === 4) {
            if (tag >>> 3 !== fieldNo) throw new Error('invalid end group tag');
            break;
          }
          this.skip(tag & 7, tag >>> 3, depth - 1);
        }
        break;
      case 5:
        this.take(4);
        break;
      default:
        throw new Error(`cannot skip wire type ${wireType}`);
    }
    return this.buf.subarray(start, this.pos);
  }
}

function outOfBounds(): Error {
  return new RangeError('premature EOF');
}
