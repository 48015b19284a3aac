// The proto3 JSON mapping (protobuf.dev "ProtoJSON format") of a simple message written straight to
// text: a proto3 message whose fields are all singular strings, bools, 32-bit integers or bytes,
// with implicit presence and no oneof. It writes what protobuf-es's toJsonString writes (fields in
// field-number order under their JSON names, zero values left out, bytes as standard base64 with
// padding), without the intermediate JSON object and with Node's native base64. Triple's HTTP mode
// answers with it on every call. Any other message, or a value of an unexpected type, goes to
// protobuf-es, so its errors and every other rule stay its own.

import { type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';

/** protobuf-es's EDITION_PROTO3 and FeatureSet.FieldPresence.IMPLICIT. */
const EDITION_PROTO3 = 999;
const IMPLICIT = 2;

/** One field's JSON `"name":value` (with its leading comma or brace added by the caller), or a refusal. */
type FieldText = (value: unknown) => string | undefined | typeof REFUSE;
const REFUSE = Symbol('refuse');

/**
 * A writer for `schema` when it is simple enough, else undefined. The writer returns undefined for
 * a message it does not take (the caller then uses protobuf-es).
 */
export function simpleJsonWriter(
  schema: DescMessage,
): ((message: unknown) => string | undefined) | undefined {
  if (schema.file.edition !== EDITION_PROTO3 || schema.typeName.startsWith('google.protobuf.'))
    return undefined;
  const fields: { localName: string; key: string; text: FieldText }[] = [];
  for (const field of [...schema.fields].sort((a, b) => a.number - b.number)) {
    const text = fieldText(field);
    if (text === undefined) return undefined;
    fields.push({ localName: field.localName, key: JSON.stringify(field.jsonName), text });
  }
  return (message) => {
    if ((message as { $typeName?: string }).$typeName !== schema.typeName) return undefined;
    let out = '';
    for (const f of fields) {
      const value = f.text((message as Record<string, unknown>)[f.localName]);
      if (value === REFUSE) return undefined;
      if (value !== undefined) out += `${out === '' ? '{' : ','}${f.key}:${value}`;
    }
    return out === '' ? '{}' : `${out}}`;
  };
}

function fieldText(field: DescField): FieldText | undefined {
  if (field.fieldKind !== 'scalar' || field.oneof !== undefined || field.presence !== IMPLICIT)
    return undefined;
  if (field.jsonName === '__proto__') return undefined;
  switch (field.scalar) {
    case ScalarType.STRING:
      return (v) => (typeof v !== 'string' ? REFUSE : v === '' ? undefined : JSON.stringify(v));
    case ScalarType.BOOL:
      return (v) => (typeof v !== 'boolean' ? REFUSE : v ? 'true' : undefined);
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return (v) => (typeof v !== 'number' || !Number.isFinite(v) ? REFUSE : v === 0 ? undefined : String(v));
    case ScalarType.BYTES:
      return (v) => {
        if (!(v instanceof Uint8Array)) return REFUSE;
        if (v.byteLength === 0) return undefined;
        return `"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"`;
      };
    default:
      return undefined; // 64-bit integers, floats: protobuf-es
  }
}
