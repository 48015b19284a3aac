// Which message types the binary codec encodes and decodes itself. It covers proto3 as
// protobuf-es represents it: every scalar type (64-bit integers as bigint), open enums, packed and
// unpacked lists, maps, oneofs, nested and recursive messages, unwrapped wrapper fields, unknown
// fields. Anything else in the type or in any type it reaches goes to protobuf-es as a whole:
// proto2 and editions (defaults, closed enums, required, groups, extensions), `jstype = JS_STRING`,
// google.protobuf.Struct held as a JSON object, and 64-bit integers without bigint support.

import { type DescField, type DescMessage, protoInt64, ScalarType } from '@bufbuild/protobuf';

/** Edition.EDITION_PROTO3 of descriptor.proto. */
const EDITION_PROTO3 = 999;

/** Whether the binary codec handles `desc` (and every type it reaches) itself, not protobuf-es. */
export function binaryCodecCovers(desc: DescMessage, seen = new Set<DescMessage>()): boolean {
  if (seen.has(desc)) return true;
  seen.add(desc);
  if (desc.file.edition !== EDITION_PROTO3) return false;
  for (const field of desc.fields) if (!fieldCovered(field, seen)) return false;
  return true;
}

function fieldCovered(field: DescField, seen: Set<DescMessage>): boolean {
  if ('delimitedEncoding' in field && field.delimitedEncoding) return false;
  switch (field.fieldKind) {
    case 'scalar':
      return scalarCovered(field.scalar, field.longAsString);
    case 'enum':
      return field.enum.open;
    case 'message':
      return messageCovered(field, field.message, seen);
    case 'list':
      if (field.listKind === 'message') return messageCovered(field, field.message, seen);
      if (field.listKind === 'enum') return field.enum.open;
      return scalarCovered(field.scalar, field.longAsString);
    case 'map':
      if (!scalarCovered(field.mapKey, false)) return false;
      if (field.mapKind === 'message') return messageCovered(field, field.message, seen);
      if (field.mapKind === 'enum') return field.enum.open;
      return scalarCovered(field.scalar, false);
  }
}

function messageCovered(field: DescField, message: DescMessage, seen: Set<DescMessage>): boolean {
  // protobuf-es holds a Struct field (outside google.protobuf.Value) as a plain JSON object.
  if (message.typeName === 'google.protobuf.Struct' && field.parent.typeName !== 'google.protobuf.Value')
    return false;
  return binaryCodecCovers(message, seen);
}

function scalarCovered(type: ScalarType, longAsString: boolean): boolean {
  switch (type) {
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return protoInt64.supported && !longAsString;
    default:
      return true;
  }
}
