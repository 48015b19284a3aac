// Encoders compiled once per message type from its protobuf-es descriptor: a sizing pass that
// checks every value and notes each nested length, then a writing pass into one exact-size
// Buffer. Byte for byte what protobuf-es's toBinary writes: fields by number, proto3's implicit
// presence rules, packed lists, map entries with key and value always written, unwrapped wrapper
// fields, unknown fields last (protobuf encoding spec).

import { type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import { isWrapperDesc } from '@bufbuild/protobuf/wkt';
import { NOT_COVERED } from './not-covered.js';
import { type EncodeState, type ScalarEncoder, scalarEncoder } from './scalar-encoders.js';
import { fieldTag, varint32Size, writeVarint32 } from './wire-writer.js';

// biome-ignore lint/suspicious/noExplicitAny: messages are read by field name.
type Message = any;

export interface MessageEncoder {
  size(message: Message, state: EncodeState): number;
  write(buf: Buffer, pos: number, message: Message, state: EncodeState): number;
}

interface FieldEncoder {
  size(message: Message, state: EncodeState): number;
  write(buf: Buffer, pos: number, message: Message, state: EncodeState): number;
}

const LENGTH_DELIMITED = 2;
const hasOwn = Object.prototype.hasOwnProperty;

/** Builds (and caches in `compiled`, so recursive types resolve) the encoder of `desc`. */
export function compileEncoder(
  desc: DescMessage,
  compiled: Map<DescMessage, MessageEncoder>,
): MessageEncoder {
  const known = compiled.get(desc);
  if (known) return known;
  const typeName = desc.typeName;
  const fields: FieldEncoder[] = [];
  const checkType = desc.fields.length > 0;
  const encoder: MessageEncoder = {
    size(message, state) {
      if (checkType && message.$typeName !== typeName) throw NOT_COVERED;
      let n = 0;
      for (let i = 0; i < fields.length; i++) n += fields[i]!.size(message, state);
      const unknown = message.$unknown;
      if (unknown !== undefined) n += unknownSize(unknown);
      return n;
    },
    write(buf, pos, message, state) {
      for (let i = 0; i < fields.length; i++) pos = fields[i]!.write(buf, pos, message, state);
      const unknown = message.$unknown;
      if (unknown !== undefined) pos = writeUnknown(buf, pos, unknown);
      return pos;
    },
  };
  compiled.set(desc, encoder);
  const sorted = desc.fields.concat().sort((a, b) => a.number - b.number);
  for (const field of sorted) fields.push(fieldEncoder(field, compiled));
  return encoder;
}

function fieldEncoder(field: DescField, compiled: Map<DescMessage, MessageEncoder>): FieldEncoder {
  switch (field.fieldKind) {
    case 'list':
      return field.listKind === 'message'
        ? repeated(field.localName, messageValue(field.number, compileEncoder(field.message, compiled)))
        : scalarList(field, scalarEncoder(field.listKind === 'enum' ? ScalarType.INT32 : field.scalar));
    case 'map':
      return mapField(field, compiled);
    default:
      return singular(field, singularValue(field, compiled));
  }
}

/** Sizes and writes one value of a field, its tag included. */
interface ValueEncoder {
  size(value: unknown, state: EncodeState): number;
  write(buf: Buffer, pos: number, value: unknown, state: EncodeState): number;
}

function tagged(fieldNo: number, scalar: ScalarEncoder): ValueEncoder {
  const tag = fieldTag(fieldNo, scalar.wireType);
  const tagSize = varint32Size(tag);
  return {
    size: (value, state) => tagSize + scalar.size(value, state),
    write: (buf, pos, value, state) => scalar.write(buf, writeVarint32(buf, pos, tag), value, state),
  };
}

/** A nested message: tag, length (noted by the sizing pass), body. */
function messageValue(fieldNo: number, child: MessageEncoder): ValueEncoder {
  const tag = fieldTag(fieldNo, LENGTH_DELIMITED);
  const tagSize = varint32Size(tag);
  return {
    size(value, state) {
      if (value === null || typeof value !== 'object') throw NOT_COVERED;
      const slot = state.top++;
      const n = child.size(value, state);
      state.lengths[slot] = n;
      return tagSize + varint32Size(n) + n;
    },
    write(buf, pos, value, state) {
      const n = state.lengths[state.at++]!;
      pos = writeVarint32(buf, writeVarint32(buf, pos, tag), n);
      return child.write(buf, pos, value, state);
    },
  };
}

function singularValue(
  field: DescField & { fieldKind: 'scalar' | 'enum' | 'message' },
  compiled: Map<DescMessage, MessageEncoder>,
): ValueEncoder {
  if (field.fieldKind !== 'message') {
    return tagged(field.number, scalarEncoder(field.fieldKind === 'enum' ? ScalarType.INT32 : field.scalar));
  }
  const value = messageValue(field.number, compileEncoder(field.message, compiled));
  if (field.oneof || !isWrapperDesc(field.message)) return value;
  // A singular wrapper field outside a oneof holds the bare value: write it as its wrapper.
  const wrapper = field.message;
  const inner = wrapper.fields[0]!.localName;
  const wrap = (local: unknown) => ({ $typeName: wrapper.typeName, [inner]: local });
  return {
    size: (local, state) => value.size(wrap(local), state),
    write: (buf, pos, local, state) => value.write(buf, pos, wrap(local), state),
  };
}

function singular(
  field: DescField & { fieldKind: 'scalar' | 'enum' | 'message' },
  value: ValueEncoder,
): FieldEncoder {
  const name = field.localName;
  if (field.oneof) {
    const oneof = field.oneof.localName;
    return {
      size(message, state) {
        const o = message[oneof];
        return o.case === name ? value.size(o.value, state) : 0;
      },
      write(buf, pos, message, state) {
        const o = message[oneof];
        return o.case === name ? value.write(buf, pos, o.value, state) : pos;
      },
    };
  }
  const isSet = presence(field);
  return {
    size(message, state) {
      const v = message[name];
      return isSet(v, message, name) ? value.size(v, state) : 0;
    },
    write(buf, pos, message, state) {
      const v = message[name];
      return isSet(v, message, name) ? value.write(buf, pos, v, state) : pos;
    },
  };
}

/** When protobuf-es writes a singular field (its implicit-presence zero checks, per type). */
function presence(
  field: DescField & { fieldKind: 'scalar' | 'enum' | 'message' },
): (v: unknown, m: Message, name: string) => boolean {
  if (field.presence !== IMPLICIT) return (v, m, name) => v !== undefined && hasOwn.call(m, name);
  if (field.fieldKind === 'enum') {
    const zero = field.enum.values[0]!.number;
    return (v) => v !== zero;
  }
  switch (field.fieldKind === 'scalar' ? field.scalar : undefined) {
    case ScalarType.BOOL:
      return (v) => v !== false;
    case ScalarType.STRING:
      return (v) => v !== '';
    case ScalarType.BYTES:
      return (v) => !(v instanceof Uint8Array) || v.byteLength > 0;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return (v) => !Object.is(v, 0);
    default:
      // biome-ignore lint/suspicious/noDoubleEquals: as protobuf-es: 0, 0n and "0" are all zero.
      return (v) => v != 0;
  }
}

/** FieldPresence.IMPLICIT of descriptor.proto's FeatureSet. */
const IMPLICIT = 2;

function repeated(name: string, value: ValueEncoder): FieldEncoder {
  return {
    size(message, state) {
      const items = message[name];
      if (!Array.isArray(items)) throw NOT_COVERED;
      let n = 0;
      for (let i = 0; i < items.length; i++) n += value.size(items[i], state);
      return n;
    },
    write(buf, pos, message, state) {
      const items = message[name] as unknown[];
      for (let i = 0; i < items.length; i++) pos = value.write(buf, pos, items[i], state);
      return pos;
    },
  };
}

function scalarList(field: DescField & { fieldKind: 'list' }, scalar: ScalarEncoder): FieldEncoder {
  if (!field.packed) return repeated(field.localName, tagged(field.number, scalar));
  const name = field.localName;
  const tag = fieldTag(field.number, LENGTH_DELIMITED);
  const tagSize = varint32Size(tag);
  return {
    size(message, state) {
      const items = message[name];
      if (!Array.isArray(items)) throw NOT_COVERED;
      if (items.length === 0) return 0;
      let n = 0;
      for (let i = 0; i < items.length; i++) n += scalar.size(items[i], state);
      state.lengths[state.top++] = n;
      return tagSize + varint32Size(n) + n;
    },
    write(buf, pos, message, state) {
      const items = message[name] as unknown[];
      if (items.length === 0) return pos;
      pos = writeVarint32(buf, writeVarint32(buf, pos, tag), state.lengths[state.at++]!);
      for (let i = 0; i < items.length; i++) pos = scalar.write(buf, pos, items[i], state);
      return pos;
    },
  };
}

function mapField(
  field: DescField & { fieldKind: 'map' },
  compiled: Map<DescMessage, MessageEncoder>,
): FieldEncoder {
  const name = field.localName;
  const tag = fieldTag(field.number, LENGTH_DELIMITED);
  const tagSize = varint32Size(tag);
  const key = tagged(1, scalarEncoder(field.mapKey));
  const toKey = mapKeyValue(field.mapKey);
  const value =
    field.mapKind === 'message'
      ? messageValue(2, compileEncoder(field.message, compiled))
      : tagged(2, scalarEncoder(field.mapKind === 'enum' ? ScalarType.INT32 : field.scalar));
  return {
    size(message, state) {
      const record = message[name];
      if (record === null || typeof record !== 'object') throw NOT_COVERED;
      let n = 0;
      for (const k of Object.keys(record)) {
        const slot = state.top++;
        const entry = key.size(toKey(k), state) + value.size(record[k], state);
        state.lengths[slot] = entry;
        n += tagSize + varint32Size(entry) + entry;
      }
      return n;
    },
    write(buf, pos, message, state) {
      const record = message[name];
      for (const k of Object.keys(record)) {
        pos = writeVarint32(buf, writeVarint32(buf, pos, tag), state.lengths[state.at++]!);
        pos = key.write(buf, pos, toKey(k), state);
        pos = value.write(buf, pos, record[k], state);
      }
      return pos;
    },
  };
}

/** A map key (always a string property) as its scalar type; anything odd goes to protobuf-es. */
function mapKeyValue(type: ScalarType): (key: string) => unknown {
  switch (type) {
    case ScalarType.STRING:
      return (key) => key;
    case ScalarType.BOOL:
      return (key) => {
        if (key === 'true') return true;
        if (key === 'false') return false;
        throw NOT_COVERED;
      };
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return (key) => {
        if (!/^-?\d+$/.test(key)) throw NOT_COVERED;
        return BigInt(key);
      };
    default:
      return (key) => {
        if (!/^-?\d+$/.test(key)) throw NOT_COVERED;
        return Number(key);
      };
  }
}

interface UnknownField {
  no: number;
  wireType: number;
  data: Uint8Array;
}

function unknownSize(unknown: unknown): number {
  if (!Array.isArray(unknown)) throw NOT_COVERED;
  let n = 0;
  for (const u of unknown as UnknownField[]) {
    if (!(u.data instanceof Uint8Array) || !Number.isInteger(u.no) || u.no < 1 || u.no > 0x1fffffff)
      throw NOT_COVERED;
    n += varint32Size(fieldTag(u.no, u.wireType)) + u.data.byteLength;
  }
  return n;
}

function writeUnknown(buf: Buffer, pos: number, unknown: UnknownField[]): number {
  for (const u of unknown) {
    pos = writeVarint32(buf, pos, fieldTag(u.no, u.wireType));
    buf.set(u.data, pos);
    pos += u.data.byteLength;
  }
  return pos;
}
