// Protobuf wire primitives (protobuf encoding spec: varints, ZigZag, fixed-width little-endian
// values, length-delimited strings): their sizes, and writing them into a Buffer at an offset.
// Each writer returns the offset after what it wrote; the caller sized the buffer beforehand.

/** A field's tag: its number and wire type, as the unsigned varint written before its value. */
export function fieldTag(fieldNo: number, wireType: number): number {
  return ((fieldNo << 3) | wireType) >>> 0;
}

/** Bytes of `value` (0 ≤ value < 2^32) as a varint. */
export function varint32Size(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** Bytes of an int32 or enum value: a negative one is sign-extended to 10 bytes. */
export function int32Size(value: number): number {
  return value < 0 ? 10 : varint32Size(value);
}

/** Bytes of a 64-bit value as a varint, from its two's complement halves. */
export function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varint32Size(lo >>> 0);
  const h = hi >>> 0;
  // 32 bits of `lo`, then 3 bits of `hi` share the fifth byte; 7 bits per byte after it.
  if (h < 0x8) return 5;
  if (h < 0x400) return 6;
  if (h < 0x20000) return 7;
  if (h < 0x1000000) return 8;
  if (h < 0x80000000) return 9;
  return 10;
}

export function writeVarint32(buf: Uint8Array, pos: number, value: number): number {
  while (value > 0x7f) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[pos++] = value;
  return pos;
}

export function writeInt32(buf: Uint8Array, pos: number, value: number): number {
  if (value >= 0) return writeVarint32(buf, pos, value);
  return writeVarint64(buf, pos, value, -1);
}

export function writeVarint64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  lo >>>= 0;
  hi >>>= 0;
  for (let i = 0; i < 4; i++) {
    if (hi === 0 && lo < 0x80) {
      buf[pos++] = lo;
      return pos;
    }
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo >>>= 7;
  }
  // The fifth byte: the last 4 bits of `lo` and the first 3 of `hi`.
  const fifth = (lo & 0x0f) | ((hi & 0x07) << 4);
  hi >>>= 3;
  if (hi === 0) {
    buf[pos++] = fifth;
    return pos;
  }
  buf[pos++] = fifth | 0x80;
  return writeVarint32(buf, pos, hi);
}

export function writeFixed32(buf: Uint8Array, pos: number, value: number): number {
  buf[pos] = value;
  buf[pos + 1] = value >>> 8;
  buf[pos + 2] = value >>> 16;
  buf[pos + 3] = value >>> 24;
  return pos + 4;
}

/** Halves of a 64-bit integer (bigint within range), two's complement. */
export function int64Halves(value: bigint): { lo: number; hi: number } {
  return { lo: Number(value & 0xffffffffn), hi: Number((value >> 32n) & 0xffffffffn) };
}

/** UTF-8 length of `text`, as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
export function utf8Size(text: string): number {
  return text.length === 0 ? 0 : Buffer.byteLength(text, 'utf8');
}

/** Writes `text` (UTF-8, `size` bytes as utf8Size said) at `pos`. */
export function writeUtf8(buf: Buffer, pos: number, text: string, size: number): number {
  if (size === 0) return pos;
  // As many bytes as chars: ASCII, which latin1 writes as it is, without UTF-8's checks.
  if (size === text.length) return pos + buf.latin1Write(text, pos, size);
  return pos + buf.write(text, pos, size, 'utf8');
}
