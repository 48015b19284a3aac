// Random protobuf-es messages of any schema, for property tests of codecs against protobuf-es
// itself. Values lean towards the conformance suite's edge cases: negative int32 (10-byte
// varints), the ends of every integer range, NaN, ±0 and ±Infinity, strings with multi-byte
// characters, surrogate pairs, lone surrogates and a leading U+FEFF, lengths across varint
// boundaries, unknown enum values, empty versus absent, and unknown fields.

import { create, type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import { isWrapperDesc } from '@bufbuild/protobuf/wkt';

/** A seeded generator (mulberry32), so a failing case can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomMessageOptions {
  /** How deep nested messages go. */
  maxDepth?: number;
  /** Adds well-formed unknown fields now and then. */
  unknownFields?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: messages are filled by field name.
type Message = any;

export function randomMessage(
  desc: DescMessage,
  random: () => number,
  options: RandomMessageOptions = {},
): Message {
  return new Generator(random, options.maxDepth ?? 3, options.unknownFields ?? true).message(desc, 0);
}

class Generator {
  constructor(
    private readonly random: () => number,
    private readonly maxDepth: number,
    private readonly unknownFields: boolean,
  ) {}

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  message(desc: DescMessage, depth: number): Message {
    const message: Message = create(desc);
    for (const oneof of desc.oneofs) {
      if (this.random() < 0.3) continue;
      const field = this.pick(oneof.fields);
      const value = field.fieldKind === 'message' ? this.child(field.message, depth) : this.singular(field);
      if (value !== undefined) message[oneof.localName] = { case: field.localName, value };
    }
    for (const field of desc.fields) {
      if (field.oneof || this.random() < 0.35) continue;
      this.fill(message, field, depth);
    }
    if (this.unknownFields && this.random() < 0.1) message.$unknown = this.unknown(desc);
    return message;
  }

  private fill(message: Message, field: DescField, depth: number): void {
    const name = field.localName;
    switch (field.fieldKind) {
      case 'scalar':
      case 'enum': {
        message[name] = this.singular(field);
        return;
      }
      case 'message': {
        if (depth >= this.maxDepth) return;
        if (field.message.typeName === 'google.protobuf.Struct') {
          message[name] = this.json(depth);
          return;
        }
        const child = this.child(field.message, depth);
        message[name] = isWrapperDesc(field.message) ? child[field.message.fields[0]!.localName] : child;
        return;
      }
      case 'list': {
        const n = this.int(5);
        const items: unknown[] = message[name];
        for (let i = 0; i < n; i++) {
          if (field.listKind === 'message') {
            if (depth >= this.maxDepth) break;
            items.push(this.child(field.message, depth));
          } else if (field.listKind === 'enum')
            items.push(this.enumValue(field.enum.values.map((v) => v.number)));
          else items.push(this.scalar(field.scalar));
        }
        return;
      }
      case 'map': {
        const n = this.int(4);
        const record: Record<string, unknown> = message[name];
        for (let i = 0; i < n; i++) {
          const key = String(this.scalar(field.mapKey));
          if (field.mapKind === 'message') {
            if (depth >= this.maxDepth) break;
            record[key] = this.child(field.message, depth);
          } else if (field.mapKind === 'enum')
            record[key] = this.enumValue(field.enum.values.map((v) => v.number));
          else record[key] = this.scalar(field.scalar);
        }
        return;
      }
    }
  }

  private child(desc: DescMessage, depth: number): Message | undefined {
    if (depth >= this.maxDepth) return create(desc);
    return this.message(desc, depth + 1);
  }

  private singular(field: DescField): unknown {
    if (field.fieldKind === 'enum') return this.enumValue(field.enum.values.map((v) => v.number));
    if (field.fieldKind === 'scalar') return this.scalar(field.scalar);
    return undefined;
  }

  private enumValue(known: number[]): number {
    return this.random() < 0.8 ? this.pick(known) : this.pick([7, -1, 1000, -2147483648]);
  }

  scalar(type: ScalarType): unknown {
    const r = this.random();
    switch (type) {
      case ScalarType.DOUBLE:
        return r < 0.4
          ? this.pick([
              0,
              -0,
              Number.NaN,
              Number.POSITIVE_INFINITY,
              Number.NEGATIVE_INFINITY,
              Number.MIN_VALUE,
              -Number.MAX_VALUE,
              1.5,
            ])
          : (this.random() - 0.5) * 10 ** this.int(40);
      case ScalarType.FLOAT:
        return r < 0.4
          ? this.pick([
              0,
              -0,
              Number.NaN,
              Number.POSITIVE_INFINITY,
              -3.4028234663852886e38,
              1.401298464324817e-45,
            ])
          : Math.fround((this.random() - 0.5) * 10 ** this.int(30));
      case ScalarType.INT32:
      case ScalarType.SINT32:
      case ScalarType.SFIXED32:
        return r < 0.5
          ? this.pick([0, 1, -1, 127, 128, -128, 16383, 16384, 2147483647, -2147483648])
          : this.int(2 ** 32) - 2 ** 31;
      case ScalarType.UINT32:
      case ScalarType.FIXED32:
        return r < 0.5 ? this.pick([0, 1, 127, 128, 2 ** 21, 2 ** 28, 4294967295]) : this.int(2 ** 32);
      case ScalarType.INT64:
      case ScalarType.SINT64:
      case ScalarType.SFIXED64:
        return r < 0.5
          ? this.pick([
              0n,
              1n,
              -1n,
              2n ** 31n,
              -(2n ** 31n),
              2n ** 32n,
              2n ** 35n - 1n,
              2n ** 63n - 1n,
              -(2n ** 63n),
            ])
          : BigInt.asIntN(64, this.bits64());
      case ScalarType.UINT64:
      case ScalarType.FIXED64:
        return r < 0.5
          ? this.pick([0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 56n, 2n ** 64n - 1n])
          : this.bits64();
      case ScalarType.BOOL:
        return r < 0.5;
      case ScalarType.STRING:
        return this.text();
      case ScalarType.BYTES: {
        const n = this.pick([0, 1, 5, 127, 128, 300, 16384]);
        const bytes = new Uint8Array(n);
        for (let i = 0; i < n; i++) bytes[i] = this.int(256);
        return bytes;
      }
    }
  }

  private bits64(): bigint {
    return (BigInt(this.int(2 ** 32)) << 32n) | BigInt(this.int(2 ** 32));
  }

  private text(): string {
    const pieces = [
      'a',
      'Z',
      '0',
      ' ',
      'é',
      'ß',
      '€',
      '漢',
      '😀',
      '\ufeff',
      '\u0000',
      '\u007f',
      '\u0080',
      '\u07ff',
      '\u0800',
    ];
    if (this.random() < 0.1) return '';
    if (this.random() < 0.05) return this.pick(['\ud800', 'x\udc00y', '\udbff\udfff']);
    const n = this.pick([1, 3, 10, 31, 32, 33, 64, 65, 200]);
    let s = '';
    const ascii = this.random() < 0.5;
    for (let i = 0; i < n; i++) s += ascii ? String.fromCharCode(32 + this.int(95)) : this.pick(pieces);
    return s;
  }

  /** A JSON object, as protobuf-es holds google.protobuf.Struct fields. */
  private json(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const n = this.int(3);
    for (let i = 0; i < n; i++) {
      out[`k${i}`] = this.pick([
        null,
        true,
        1.5,
        'text',
        depth < this.maxDepth ? this.json(depth + 1) : 0,
        [1, 'a'],
      ]);
    }
    return out;
  }

  /** Well-formed unknown fields on numbers no schema here uses. */
  private unknown(desc: DescMessage): { no: number; wireType: number; data: Uint8Array }[] {
    const used = new Set(desc.fields.map((f) => f.number));
    const out = [];
    for (const no of [1000, 1001, 4097]) {
      if (used.has(no)) continue;
      const kind = this.int(4);
      if (kind === 0) out.push({ no, wireType: 0, data: new Uint8Array([0x96, 0x01]) });
      else if (kind === 1) out.push({ no, wireType: 2, data: new Uint8Array([3, 1, 2, 3]) });
      else if (kind === 2) out.push({ no, wireType: 5, data: new Uint8Array([1, 2, 3, 4]) });
      else out.push({ no, wireType: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) });
    }
    return out;
  }
}
