// How each protobuf scalar type is sized and written (protobuf encoding spec), with the checks
// protobuf-es's BinaryWriter makes: a value it would reject, or convert (a string for an int32, a
// number for an int64), is not ours to write, and the message goes to protobuf-es instead.

import { ScalarType } from '@bufbuild/protobuf';
import { NOT_COVERED } from './not-covered.js';
import {
  int32Size,
  int64Halves,
  utf8Size,
  varint32Size,
  varint64Size,
  writeFixed32,
  writeInt32,
  writeUtf8,
  writeVarint32,
  writeVarint64,
} from './wire-writer.js';

/** Byte lengths found by the sizing pass, in the order the writing pass needs them. */
export interface EncodeState {
  lengths: number[];
  /** Where the sizing pass notes the next length. */
  top: number;
  /** Where the writing pass reads the next length. */
  at: number;
}

export interface ScalarEncoder {
  /** Wire type of one value (packed lists use length-delimited around them). */
  wireType: number;
  /** Bytes of `value`; throws NOT_COVERED when protobuf-es must handle it. */
  size(value: unknown, state: EncodeState): number;
  write(buf: Buffer, pos: number, value: unknown, state: EncodeState): number;
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const UINT32_MAX = 0xffffffff;
const FLOAT32_MAX = 3.4028234663852886e38;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function int32(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw NOT_COVERED;
  }
  return value;
}

function uint32(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw NOT_COVERED;
  }
  return value;
}

function int64(value: unknown, unsigned: boolean): bigint {
  if (typeof value !== 'bigint') throw NOT_COVERED;
  if (unsigned ? value < 0n || value > UINT64_MAX : value < INT64_MIN || value > INT64_MAX) {
    throw NOT_COVERED;
  }
  return value;
}

function zigzag64(value: bigint): bigint {
  return value >= 0n ? value << 1n : (-value << 1n) - 1n;
}

const varint64 = (unsigned: boolean, map: (v: bigint) => bigint = (v) => v): ScalarEncoder => ({
  wireType: 0,
  size(value) {
    const { lo, hi } = int64Halves(map(int64(value, unsigned)));
    return varint64Size(lo, hi);
  },
  write(buf, pos, value) {
    const { lo, hi } = int64Halves(map(value as bigint));
    return writeVarint64(buf, pos, lo, hi);
  },
});

const fixed64 = (unsigned: boolean): ScalarEncoder => ({
  wireType: 1,
  size(value) {
    int64(value, unsigned);
    return 8;
  },
  write(buf, pos, value) {
    const { lo, hi } = int64Halves(value as bigint);
    return writeFixed32(buf, writeFixed32(buf, pos, lo), hi);
  },
});

const encoders: Record<ScalarType, ScalarEncoder> = {
  [ScalarType.DOUBLE]: {
    wireType: 1,
    size(value) {
      if (typeof value !== 'number') throw NOT_COVERED;
      return 8;
    },
    write: (buf, pos, value) => buf.writeDoubleLE(value as number, pos),
  },
  [ScalarType.FLOAT]: {
    wireType: 5,
    size(value) {
      if (typeof value !== 'number') throw NOT_COVERED;
      if (Number.isFinite(value) && (value > FLOAT32_MAX || value < -FLOAT32_MAX)) throw NOT_COVERED;
      return 4;
    },
    write: (buf, pos, value) => buf.writeFloatLE(value as number, pos),
  },
  [ScalarType.INT32]: {
    wireType: 0,
    size: (value) => int32Size(int32(value)),
    write: (buf, pos, value) => writeInt32(buf, pos, value as number),
  },
  [ScalarType.UINT32]: {
    wireType: 0,
    size: (value) => varint32Size(uint32(value)),
    write: (buf, pos, value) => writeVarint32(buf, pos, value as number),
  },
  [ScalarType.SINT32]: {
    wireType: 0,
    size(value) {
      const v = int32(value);
      return varint32Size(((v << 1) ^ (v >> 31)) >>> 0);
    },
    write(buf, pos, value) {
      const v = value as number;
      return writeVarint32(buf, pos, ((v << 1) ^ (v >> 31)) >>> 0);
    },
  },
  [ScalarType.FIXED32]: {
    wireType: 5,
    size(value) {
      uint32(value);
      return 4;
    },
    write: (buf, pos, value) => writeFixed32(buf, pos, value as number),
  },
  [ScalarType.SFIXED32]: {
    wireType: 5,
    size(value) {
      int32(value);
      return 4;
    },
    write: (buf, pos, value) => writeFixed32(buf, pos, value as number),
  },
  [ScalarType.INT64]: varint64(false),
  [ScalarType.UINT64]: varint64(true),
  [ScalarType.SINT64]: {
    ...varint64(false, zigzag64),
    size(value) {
      const { lo, hi } = int64Halves(zigzag64(int64(value, false)));
      return varint64Size(lo, hi);
    },
  },
  [ScalarType.FIXED64]: fixed64(true),
  [ScalarType.SFIXED64]: fixed64(false),
  [ScalarType.BOOL]: {
    wireType: 0,
    size(value) {
      if (typeof value !== 'boolean') throw NOT_COVERED;
      return 1;
    },
    write(buf, pos, value) {
      buf[pos] = value ? 1 : 0;
      return pos + 1;
    },
  },
  [ScalarType.STRING]: {
    wireType: 2,
    size(value, state) {
      if (typeof value !== 'string') throw NOT_COVERED;
      const n = utf8Size(value);
      state.lengths[state.top++] = n;
      return varint32Size(n) + n;
    },
    write(buf, pos, value, state) {
      const n = state.lengths[state.at++]!;
      return writeUtf8(buf, writeVarint32(buf, pos, n), value as string, n);
    },
  },
  [ScalarType.BYTES]: {
    wireType: 2,
    size(value) {
      if (!(value instanceof Uint8Array)) throw NOT_COVERED;
      return varint32Size(value.byteLength) + value.byteLength;
    },
    write(buf, pos, value) {
      const bytes = value as Uint8Array;
      pos = writeVarint32(buf, pos, bytes.byteLength);
      buf.set(bytes, pos);
      return pos + bytes.byteLength;
    },
  },
};

/** The encoder of one scalar type (enums use INT32's). */
export function scalarEncoder(type: ScalarType): ScalarEncoder {
  return encoders[type];
}
