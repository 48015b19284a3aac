// How each protobuf scalar type is read (protobuf encoding spec), producing what protobuf-es's
// BinaryReader produces: bigint for 64-bit integers, a view of the input for bytes, strings
// decoded like its TextDecoder (a leading U+FEFF kept; invalid UTF-8 an error where the field
// validates UTF-8, U+FFFD elsewhere).

import { ScalarType } from '@bufbuild/protobuf';
import type { WireReader } from './wire-reader.js';

export interface ScalarDecoder {
  /** The wire type a single value arrives with. */
  wireType: number;
  read(reader: WireReader): unknown;
}

const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function unsigned64(lo: number, hi: number): bigint {
  if (hi === 0) return BigInt(lo >>> 0);
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function signed64(lo: number, hi: number): bigint {
  if (hi === 0) return BigInt(lo >>> 0);
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

function fixed32(r: WireReader): number {
  const at = r.take(4);
  const b = r.buf;
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

let scratch: DataView | undefined;

/** A DataView over 8 bytes copied from the input (floats need their exact bit patterns). */
function floatView(r: WireReader, n: 4 | 8): DataView {
  const at = r.take(n);
  scratch ??= new DataView(new ArrayBuffer(8));
  for (let i = 0; i < n; i++) scratch.setUint8(i, r.buf[at + i]!);
  return scratch;
}

function text(validate: boolean): ScalarDecoder {
  const decoder = validate ? strict : lenient;
  return {
    wireType: 2,
    read(r) {
      const n = r.varint32();
      const at = r.take(n);
      const buf = r.buf;
      const end = at + n;
      // ASCII (the usual case) is its own UTF-8: sliced as latin1, with no decoder.
      for (let i = at; i < end; i++) if (buf[i]! >= 0x80) return decoder.decode(buf.subarray(at, end));
      return r.latin1(at, end);
    },
  };
}

const decoders: Record<Exclude<ScalarType, ScalarType.STRING>, ScalarDecoder> = {
  [ScalarType.DOUBLE]: { wireType: 1, read: (r) => floatView(r, 8).getFloat64(0, true) },
  [ScalarType.FLOAT]: { wireType: 5, read: (r) => floatView(r, 4).getFloat32(0, true) },
  [ScalarType.INT32]: { wireType: 0, read: (r) => r.varint32() | 0 },
  [ScalarType.UINT32]: { wireType: 0, read: (r) => r.varint32() },
  [ScalarType.SINT32]: {
    wireType: 0,
    read(r) {
      const z = r.varint32();
      return (z >>> 1) ^ -(z & 1);
    },
  },
  [ScalarType.FIXED32]: { wireType: 5, read: fixed32 },
  [ScalarType.SFIXED32]: { wireType: 5, read: (r) => fixed32(r) | 0 },
  [ScalarType.INT64]: {
    wireType: 0,
    read(r) {
      r.varint64();
      return signed64(r.lo, r.hi);
    },
  },
  [ScalarType.UINT64]: {
    wireType: 0,
    read(r) {
      r.varint64();
      return unsigned64(r.lo, r.hi);
    },
  },
  [ScalarType.SINT64]: {
    wireType: 0,
    read(r) {
      r.varint64();
      const s = -(r.lo & 1);
      return signed64(((r.lo >>> 1) | ((r.hi & 1) << 31)) ^ s, (r.hi >>> 1) ^ s);
    },
  },
  [ScalarType.FIXED64]: {
    wireType: 1,
    read(r) {
      const lo = fixed32(r);
      return unsigned64(lo, fixed32(r));
    },
  },
  [ScalarType.SFIXED64]: {
    wireType: 1,
    read(r) {
      const lo = fixed32(r);
      return signed64(lo, fixed32(r));
    },
  },
  [ScalarType.BOOL]: {
    wireType: 0,
    read(r) {
      r.varint64();
      return r.lo !== 0 || r.hi !== 0;
    },
  },
  [ScalarType.BYTES]: {
    wireType: 2,
    read(r) {
      const n = r.varint32();
      const at = r.take(n);
      return r.buf.subarray(at, at + n);
    },
  },
};

const strings = { strict: text(true), lenient: text(false) };

/** The decoder of one scalar type (enums use INT32's); `validateUtf8` is the field's utf8Validation. */
export function scalarDecoder(type: ScalarType, validateUtf8 = true): ScalarDecoder {
  if (type === ScalarType.STRING) return validateUtf8 ? strings.strict : strings.lenient;
  return decoders[type];
}

/** The value a map entry's missing key or scalar value takes. */
export function scalarZero(type: ScalarType): unknown {
  switch (type) {
    case ScalarType.STRING:
      return '';
    case ScalarType.BOOL:
      return false;
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return 0n;
    case ScalarType.BYTES:
      return new Uint8Array(0);
    default:
      return 0;
  }
}
