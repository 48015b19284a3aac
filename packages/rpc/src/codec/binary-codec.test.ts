import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, type DescMessage, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AnySchema,
  DurationSchema,
  FieldMaskSchema,
  FileDescriptorProtoSchema,
  Int64ValueSchema,
  ListValueSchema,
  StringValueSchema,
  StructSchema,
  TimestampSchema,
  ValueSchema,
} from '@bufbuild/protobuf/wkt';
import { randomMessage, seededRandom } from '@shoal/testing';
import { AllKindsSchema, WithStructSchema } from '../../test/gen/shoal/testing/v1/codec_kinds_pb.js';
import { LegacySchema } from '../../test/gen/shoal/testing/v1/codec_legacy_pb.js';
import { EchoRequestSchema, EchoResponseSchema } from '../../test/gen/shoal/testing/v1/echo_pb.js';
import { ServerReflectionResponseSchema } from '../gen/grpc/reflection/v1/reflection_pb.js';
import { HealthCheckResponseSchema } from '../gen/health/v1/health_pb.js';
import { BinaryCodecs } from './binary-codec.js';
import { binaryCodecCovers } from './codec-coverage.js';
import { compileDecoder } from './message-decoder.js';
import { compileEncoder } from './message-encoder.js';
import { WireReader } from './wire-reader.js';

const schemas: DescMessage[] = [
  AllKindsSchema,
  WithStructSchema,
  LegacySchema,
  EchoRequestSchema,
  EchoResponseSchema,
  HealthCheckResponseSchema,
  ServerReflectionResponseSchema,
  FileDescriptorProtoSchema,
  AnySchema,
  DurationSchema,
  TimestampSchema,
  FieldMaskSchema,
  StructSchema,
  ValueSchema,
  ListValueSchema,
  StringValueSchema,
  Int64ValueSchema,
];

/**
 * The compiled encoder and decoder alone, with no fallback to protobuf-es: on well-formed input
 * of a covered type they must not need it.
 */
function compiledOnly(schema: DescMessage) {
  const encoder = compileEncoder(schema, new Map());
  const decoder = compileDecoder(schema, new Map());
  return {
    encode(message: unknown): Uint8Array {
      const state = { lengths: [], top: 0, at: 0 };
      const buf = Buffer.alloc(encoder.size(message, state));
      encoder.write(buf, 0, message, state);
      return buf;
    },
    decode(bytes: Uint8Array): unknown {
      const message = decoder.create();
      decoder.read(message, new WireReader().reset(bytes), bytes.length, 1);
      return message;
    },
  };
}

/** What decoding `bytes` gives: the message, or the error's message. */
function outcome(decode: () => unknown): { message?: unknown; error?: string } {
  try {
    return { message: decode() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Fails with where two encodings part (the whole of them would drown the report). */
function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const a = hex(actual);
  const e = hex(expected);
  if (a === e) return;
  let i = 0;
  while (a[i] === e[i]) i++;
  const at = Math.max(0, i - 40);
  assert.fail(
    `${what}: differs at byte ${i / 2} of ${expected.byteLength}: …${a.slice(at, i + 40)} vs …${e.slice(at, i + 40)}`,
  );
}

describe('binary codec: the same bytes and messages as protobuf-es', () => {
  it('covers proto3 with every field kind, and leaves Struct fields and proto2 to protobuf-es', () => {
    assert.equal(binaryCodecCovers(AllKindsSchema), true);
    assert.equal(binaryCodecCovers(EchoRequestSchema), true);
    assert.equal(binaryCodecCovers(ValueSchema), true); // Struct inside Value is a message
    assert.equal(binaryCodecCovers(WithStructSchema), false);
    assert.equal(binaryCodecCovers(LegacySchema), false);
    assert.equal(binaryCodecCovers(FileDescriptorProtoSchema), false);
  });

  for (const schema of schemas) {
    it(`random ${schema.typeName}: byte-identical encoding, equal decoding, truncation and corruption judged alike`, () => {
      const codecs = new BinaryCodecs();
      const codec = codecs.codec(schema);
      const compiled = binaryCodecCovers(schema) ? compiledOnly(schema) : undefined;
      const random = seededRandom(schema.typeName.length * 7919);
      const runs = schema === AllKindsSchema ? 300 : 100;
      for (let run = 0; run < runs; run++) {
        const message = randomMessage(schema, random, { maxDepth: 2 });
        const what = `${schema.typeName} run ${run}`;
        const encoded = outcome(() => toBinary(schema, message));
        if (encoded.error !== undefined) {
          // Not encodable (a proto2 required field left out): the codec says what protobuf-es says.
          assert.deepStrictEqual(
            outcome(() => codec.encode(message)),
            encoded,
            what,
          );
          continue;
        }
        const expected = encoded.message as Uint8Array;
        assertSameBytes(codec.encode(message), expected, `${what}: encoding`);
        assertSameBytes(codec.encodeAfter(5, message).subarray(5), expected, `${what}: framed encoding`);
        if (compiled) {
          assertSameBytes(compiled.encode(message), expected, `${what}: compiled encoding`);
          assert.deepStrictEqual(
            compiled.decode(Buffer.from(expected)),
            fromBinary(schema, Buffer.from(expected)),
            `${what}: compiled decoding`,
          );
        }
        // Read from a Buffer (as off a socket) and from a plain Uint8Array: bytes fields are views of either.
        for (const input of [Buffer.from(expected), new Uint8Array(expected)]) {
          assert.deepStrictEqual(
            codec.decode(input),
            fromBinary(schema, input),
            `${schema.typeName} run ${run}: decoding`,
          );
        }
        // Truncated and corrupted input: the same message or the same error as protobuf-es.
        const bytes = Buffer.from(expected);
        for (let k = 0; k < 3 && bytes.length > 0; k++) {
          const cut = bytes.subarray(0, Math.floor(random() * bytes.length));
          assert.deepStrictEqual(
            outcome(() => codec.decode(cut)),
            outcome(() => fromBinary(schema, cut)),
          );
          const corrupt = Buffer.from(bytes);
          corrupt[Math.floor(random() * corrupt.length)] = Math.floor(random() * 256);
          assert.deepStrictEqual(
            outcome(() => codec.decode(corrupt)),
            outcome(() => fromBinary(schema, corrupt)),
          );
        }
      }
    });
  }

  it('writes the conformance edge cases as protobuf-es does', () => {
    const codec = new BinaryCodecs().codec(AllKindsSchema);
    const cases = [
      { fInt32: -1 }, // a 10-byte varint
      { fInt32: -2147483648, fEnum: -3 },
      { fSint32: -1, fSint64: -(2n ** 63n), fInt64: -1n, fUint64: 2n ** 64n - 1n },
      { fDouble: -0, fFloat: -0 }, // -0 is not zero for presence
      { fDouble: Number.NaN, fFloat: Number.NaN, rDouble: [Number.NaN, Number.POSITIVE_INFINITY] },
      { oString: '', oInt32: 0, oBool: false, oBytes: new Uint8Array(0) }, // present though empty
      { fString: '', fBytes: new Uint8Array(0), fBool: false }, // absent
      { fString: '\ud800 lone \udfff', fMid: '\ufeffBOM' },
      { choice: { case: 'cWrapper' as const, value: create(Int64ValueSchema, {}) as never } },
      { wInt32: 0, wString: '', wBytes: new Uint8Array(0) }, // wrappers hold the bare value
      {
        mBoolBool: { true: false, false: true },
        mInt64Int64: { '-5': -5n },
        mStringChild: { '': create(AllKindsSchema) },
      },
      { fFar: 1, rInt32: [], uInt32: [-1, 0] },
    ];
    for (const init of cases) {
      const message = create(AllKindsSchema, init as never);
      const expected = toBinary(AllKindsSchema, message);
      assertSameBytes(
        codec.encode(message),
        expected,
        JSON.stringify(init, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)),
      );
      assert.deepStrictEqual(codec.decode(expected), fromBinary(AllKindsSchema, expected));
    }
    assert.equal(hex(codec.encode(create(AllKindsSchema, { fInt32: -1 }))), `28${'ff'.repeat(9)}01`);
  });

  it('reads what protobuf-es reads from non-canonical input: packed and unpacked either way, merged repeats, unknown fields', () => {
    const codec = new BinaryCodecs().codec(AllKindsSchema);
    const inputs = [
      '9a0201059a020102', // r_int32 (34) packed twice: appended
      'a00205a00206', // r_int32 unpacked although declared packed
      '9203020102', // u_int32 (50) packed although declared unpacked
      '8a01020801' + '8a0102100a', // child (17) twice: merged
      'a20601050a', // w_int32 (104) wrapper
      'c03e96019a3f0161', // unknown fields 1000 (varint) and 1011 (bytes)
      'f80101f80102', // f_uint32... (31 is r_float) a field number reused with another wire type
      '', // empty
    ];
    for (const input of inputs) {
      const bytes = Buffer.from(input, 'hex');
      assert.deepStrictEqual(
        outcome(() => codec.decode(bytes)),
        outcome(() => fromBinary(AllKindsSchema, bytes)),
        input,
      );
    }
  });

  it('fails as protobuf-es fails: truncated input, bad tags, invalid UTF-8, values it cannot write', () => {
    const codec = new BinaryCodecs().codec(AllKindsSchema);
    for (const input of ['4a05616263', '28ff', '00', '07', '4a02c328', '8a0105']) {
      const bytes = Buffer.from(input, 'hex');
      const expected = outcome(() => fromBinary(AllKindsSchema, bytes));
      assert.ok(expected.error, `protobuf-es rejects ${input}`);
      assert.deepStrictEqual(
        outcome(() => codec.decode(bytes)),
        expected,
        input,
      );
    }
    for (const init of [{ fInt32: 1.5 }, { fUint32: -1 }, { fFloat: 1e39 }, { fInt64: 2n ** 63n }]) {
      const message = create(AllKindsSchema);
      Object.assign(message, init);
      assert.deepStrictEqual(
        outcome(() => codec.encode(message)),
        outcome(() => toBinary(AllKindsSchema, message)),
      );
    }
    // Plain numbers where bigints belong: protobuf-es writes them, and so does the codec (through it).
    const loose = create(AllKindsSchema);
    Object.assign(loose, { fInt64: 5 });
    assertSameBytes(codec.encode(loose), toBinary(AllKindsSchema, loose), 'an int64 as a number');
  });

  it('never sends unwritten buffer bytes: a message whose size changes between the passes goes to protobuf-es', () => {
    const codec = new BinaryCodecs().codec(EchoRequestSchema);
    // A getter that answers 1 (one byte) to the sizing pass and 100000 (three bytes) afterwards
    // stands for any sizing bug: the write runs past the buffer sized for it, which is not zeroed.
    let reads = 0;
    const message = create(EchoRequestSchema, { text: 'hi' });
    Object.defineProperty(message, 'repeat', { get: () => (++reads === 1 ? 1 : 100_000), enumerable: true });
    const framed = codec.encodeAfter(5, message);
    assert.equal(reads, 3, 'sized, written, then encoded again by protobuf-es');
    const decoded = fromBinary(EchoRequestSchema, framed.subarray(5));
    assert.equal(decoded.repeat, 100_000);
    assert.equal(decoded.text, 'hi');
    assert.equal(framed.length, 5 + toBinary(EchoRequestSchema, decoded).length);
  });
});
