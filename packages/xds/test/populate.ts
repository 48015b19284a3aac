// Test support (internal): builds a message with every field set, from its descriptor, so the
// wire tests cover each field without hand-written fixtures. `variant` picks which member of each
// oneof is set (variant k sets the k-th member, wrapping), so a few variants cover them all.
import { create, type DescField, type DescMessage, type Message, ScalarType } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { LocalitySchema } from '../src/gen/envoy/config/core/v3/base_pb.js';

const MAX_DEPTH = 7;

/** A new message of `schema` with every field (and one member of each oneof) set. */
export function populate<T extends Message>(schema: DescMessage, variant = 0, depth = 0): T {
  const init: Record<string, unknown> = {};
  for (const field of schema.fields) {
    if (field.oneof) continue;
    const value = valueFor(field, variant, depth);
    if (value !== undefined) init[field.localName] = value;
  }
  for (const oneof of schema.oneofs) {
    const member = oneof.fields[variant % oneof.fields.length]!;
    let value = valueFor(member, variant, depth);
    // protobuf-es unboxes wrapper fields, except as members of a oneof.
    if (member.fieldKind === 'message' && isWrapper(member.message) && value !== undefined) {
      value = create(member.message, { value });
    }
    if (value !== undefined) init[oneof.localName] = { case: member.localName, value };
  }
  return create(schema, init) as T;
}

/** How many variants it takes to set every oneof member of `schema` at least once at the top. */
export function variantsOf(schema: DescMessage): number {
  return Math.max(1, ...schema.oneofs.map((o) => o.fields.length));
}

function valueFor(field: DescField, variant: number, depth: number): unknown {
  switch (field.fieldKind) {
    case 'scalar':
      return scalar(field.scalar, field.number);
    case 'enum':
      return field.enum.values.at(-1)?.number ?? 0;
    case 'message':
      return message(field.message, variant, depth, field.number);
    case 'list':
      if (field.listKind === 'scalar') return [scalar(field.scalar, field.number), scalar(field.scalar, 1)];
      if (field.listKind === 'enum') return [field.enum.values.at(-1)?.number ?? 0];
      return depth >= MAX_DEPTH ? [] : [message(field.message, variant, depth, field.number)];
    case 'map': {
      const value =
        field.mapKind === 'scalar'
          ? scalar(field.scalar, field.number)
          : field.mapKind === 'enum'
            ? (field.enum.values.at(-1)?.number ?? 0)
            : message(field.message, variant, depth, field.number);
      if (value === undefined) return {};
      const key = scalar(field.mapKey, field.number);
      return { [String(key)]: value };
    }
  }
}

function message(desc: DescMessage, variant: number, depth: number, seed: number): unknown {
  switch (desc.typeName) {
    case 'google.protobuf.Any':
      return anyPack(LocalitySchema, create(LocalitySchema, { region: `r${seed}`, zone: 'z', subZone: 's' }));
    case 'google.protobuf.Struct':
      return { name: `s${seed}`, n: seed + 0.5, on: true, list: ['x', 2], nested: { none: null } };
    case 'google.protobuf.Duration':
      return create(desc, { seconds: BigInt(seed), nanos: 1_000_000 * seed });
    case 'google.protobuf.Timestamp':
      return create(desc, { seconds: BigInt(1_700_000_000 + seed), nanos: 5 });
  }
  if (isWrapper(desc)) {
    return scalar(desc.fields[0]!.scalar ?? ScalarType.STRING, seed); // wrappers are unboxed
  }
  if (depth >= MAX_DEPTH) return undefined;
  return populate(desc, variant, depth + 1);
}

function scalar(type: ScalarType | undefined, seed: number): unknown {
  switch (type) {
    case ScalarType.BOOL:
      return true;
    case ScalarType.STRING:
      return `v${seed}`;
    case ScalarType.BYTES:
      return new Uint8Array([1, 2, seed & 0xff]);
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return seed + 0.25;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return BigInt(-seed - 1);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return BigInt(seed) * 1_000_000_007n;
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return -seed - 1;
    default:
      return seed * 7 + 1;
  }
}

function isWrapper(desc: DescMessage): boolean {
  return desc.typeName.startsWith('google.protobuf.') && desc.typeName.endsWith('Value');
}
