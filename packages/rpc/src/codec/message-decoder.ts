// Decoders compiled once per message type from its protobuf-es descriptor, producing the message
// protobuf-es's fromBinary produces: made by protobuf-es's create(), last value wins for singular
// fields, a repeated message field merges, packed and unpacked lists both read, unknown fields
// kept in `$unknown` (protobuf encoding spec). Strict: a wire type that does not match its field,
// a length past its end or too deep a nesting throws, and the caller hands the bytes to
// protobuf-es, so malformed input is judged by protobuf-es alone.

import { create, type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import { isWrapperDesc } from '@bufbuild/protobuf/wkt';
import { type ScalarDecoder, scalarDecoder, scalarZero } from './scalar-decoders.js';
import type { WireReader } from './wire-reader.js';

// biome-ignore lint/suspicious/noExplicitAny: messages are written by field name.
type Message = any;

/** protobuf-es's default recursion limit (`recursionLimit` of its read options). */
const RECURSION_LIMIT = 100;
const LENGTH_DELIMITED = 2;

export interface MessageDecoder {
  create(): Message;
  /** Reads fields from `reader.pos` up to `end` into `message`; `depth` counts nesting from 1. */
  read(message: Message, reader: WireReader, end: number, depth: number): void;
}

type FieldReader = (message: Message, reader: WireReader, wireType: number, depth: number) => void;

/** Builds (and caches in `compiled`, so recursive types resolve) the decoder of `desc`. */
export function compileDecoder(
  desc: DescMessage,
  compiled: Map<DescMessage, MessageDecoder>,
): MessageDecoder {
  const known = compiled.get(desc);
  if (known) return known;
  const byNumber: (FieldReader | undefined)[] = [];
  const decoder: MessageDecoder = {
    create: () => create(desc),
    read(message, reader, end, depth) {
      if (depth > RECURSION_LIMIT) throw new Error('maximum recursion depth reached');
      let unknown: unknown[] | undefined;
      while (reader.pos < end) {
        const tag = readTag(reader);
        const fieldNo = tag >>> 3;
        const wireType = tag & 7;
        const field = byNumber[fieldNo];
        if (field !== undefined) {
          field(message, reader, wireType, depth);
          continue;
        }
        const data = reader.skip(wireType, fieldNo, RECURSION_LIMIT - depth);
        unknown ??= message.$unknown ?? [];
        unknown!.push({ no: fieldNo, wireType, data });
      }
      reader.endedAt(end);
      if (unknown !== undefined) message.$unknown = unknown;
    },
  };
  compiled.set(desc, decoder);
  for (const field of desc.fields) byNumber[field.number] = fieldReader(field, compiled);
  return decoder;
}

/** A tag as protobuf-es accepts it: at most 5 bytes, a field number, a wire type up to 5. */
function readTag(reader: WireReader): number {
  const start = reader.pos;
  const tag = reader.varint32();
  const bytes = reader.pos - start;
  if (bytes > 5 || (bytes === 5 && reader.buf[reader.pos - 1]! > 0x0f) || tag >>> 3 === 0 || (tag & 7) > 5) {
    throw new Error('illegal tag');
  }
  return tag;
}

function fieldReader(field: DescField, compiled: Map<DescMessage, MessageDecoder>): FieldReader {
  const name = field.localName;
  switch (field.fieldKind) {
    case 'scalar':
    case 'enum': {
      const scalar =
        field.fieldKind === 'enum'
          ? scalarDecoder(ScalarType.INT32)
          : scalarDecoder(field.scalar, field.utf8Validation);
      const expected = scalar.wireType;
      if (field.oneof) {
        const oneof = field.oneof.localName;
        return (message, reader, wireType) => {
          if (wireType !== expected) throw wrongWireType();
          message[oneof] = { case: name, value: scalar.read(reader) };
        };
      }
      return (message, reader, wireType) => {
        if (wireType !== expected) throw wrongWireType();
        message[name] = scalar.read(reader);
      };
    }
    case 'message': {
      const child = compileDecoder(field.message, compiled);
      if (field.oneof) {
        const oneof = field.oneof.localName;
        return (message, reader, wireType, depth) => {
          const current = message[oneof];
          const value = current.case === name ? current.value : child.create();
          readNested(child, value, reader, wireType, depth);
          message[oneof] = { case: name, value };
        };
      }
      if (isWrapperDesc(field.message)) {
        // protobuf-es holds a singular wrapper field as its bare value.
        const inner = field.message.fields[0]!.localName;
        return (message, reader, wireType, depth) => {
          const wrapper = child.create();
          const existing = message[name];
          if (existing !== undefined) wrapper[inner] = existing;
          readNested(child, wrapper, reader, wireType, depth);
          message[name] = wrapper[inner];
        };
      }
      return (message, reader, wireType, depth) => {
        const value = message[name] ?? child.create();
        readNested(child, value, reader, wireType, depth);
        message[name] = value;
      };
    }
    case 'list': {
      if (field.listKind === 'message') {
        const child = compileDecoder(field.message, compiled);
        return (message, reader, wireType, depth) => {
          const value = child.create();
          readNested(child, value, reader, wireType, depth);
          message[name].push(value);
        };
      }
      const type = field.listKind === 'enum' ? ScalarType.INT32 : field.scalar;
      return listReader(
        name,
        scalarDecoder(type, field.utf8Validation),
        type !== ScalarType.STRING && type !== ScalarType.BYTES,
      );
    }
    case 'map':
      return mapReader(field, compiled);
  }
}

function readNested(
  child: MessageDecoder,
  value: Message,
  reader: WireReader,
  wireType: number,
  depth: number,
): void {
  if (wireType !== LENGTH_DELIMITED) throw wrongWireType();
  child.read(value, reader, reader.delimitedEnd(), depth + 1);
}

function listReader(name: string, scalar: ScalarDecoder, packable: boolean): FieldReader {
  return (message, reader, wireType) => {
    const items = message[name];
    if (packable && wireType === LENGTH_DELIMITED) {
      const end = reader.delimitedEnd();
      while (reader.pos < end) items.push(scalar.read(reader));
      reader.endedAt(end);
      return;
    }
    if (wireType !== scalar.wireType) throw wrongWireType();
    items.push(scalar.read(reader));
  };
}

function mapReader(
  field: DescField & { fieldKind: 'map' },
  compiled: Map<DescMessage, MessageDecoder>,
): FieldReader {
  const name = field.localName;
  const key = scalarDecoder(field.mapKey, field.utf8Validation);
  const keyZero = scalarZero(field.mapKey);
  let readValue: (reader: WireReader, wireType: number, depth: number, existing: unknown) => unknown;
  let zero: () => unknown;
  if (field.mapKind === 'message') {
    const child = compileDecoder(field.message, compiled);
    readValue = (reader, wireType, depth, existing) => {
      const value = existing ?? child.create();
      readNested(child, value, reader, wireType, depth);
      return value;
    };
    zero = () => child.create();
  } else {
    const type = field.mapKind === 'enum' ? ScalarType.INT32 : field.scalar;
    const scalar = scalarDecoder(type, field.utf8Validation);
    readValue = (reader, wireType) => {
      if (wireType !== scalar.wireType) throw wrongWireType();
      return scalar.read(reader);
    };
    const enumZero = field.mapKind === 'enum' ? field.enum.values[0]!.number : undefined;
    zero = () => enumZero ?? scalarZero(type);
  }
  return (message, reader, wireType, depth) => {
    if (wireType !== LENGTH_DELIMITED) throw wrongWireType();
    const end = reader.delimitedEnd();
    let k: unknown;
    let v: unknown;
    while (reader.pos < end) {
      const tag = readTag(reader);
      const no = tag >>> 3;
      if (no === 1) {
        if ((tag & 7) !== key.wireType) throw wrongWireType();
        k = key.read(reader);
      } else if (no === 2) v = readValue(reader, tag & 7, depth, v);
      else reader.skip(tag & 7, no, RECURSION_LIMIT - depth);
    }
    reader.endedAt(end);
    const property = String(k ?? keyZero);
    const record = message[name];
    const value = v === undefined ? zero() : v;
    // A key may be "__proto__": define it rather than set the prototype.
    if (property === '__proto__') {
      Object.defineProperty(record, property, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else record[property] = value;
  };
}

function wrongWireType(): Error {
  return new Error('wire type does not match the field');
}
