import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, createFileRegistry, type DescMessage, toJsonString } from '@bufbuild/protobuf';
import {
  type FieldDescriptorProto_Label,
  type FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';
import { HealthCheckRequestSchema, HealthCheckResponseSchema } from './gen/health/v1/health_pb.js';
import { simpleJsonWriter } from './simple-json-writer.js';

// FieldDescriptorProto.Type and .Label numbers (descriptor.proto).
const T = {
  int32: 5,
  uint32: 13,
  sint32: 17,
  fixed32: 7,
  sfixed32: 15,
  bool: 8,
  string: 9,
  bytes: 12,
  int64: 3,
};
const OPTIONAL = 1;
const REPEATED = 3;

function schemaOf(
  name: string,
  fields: { name: string; number: number; type: keyof typeof T; label?: number; proto3Optional?: boolean }[],
): DescMessage {
  const file = create(FileDescriptorProtoSchema, {
    name: `test/${name}.proto`,
    package: 'test.v1',
    syntax: 'proto3',
    messageType: [
      {
        name,
        field: fields.map((f) => ({
          name: f.name,
          number: f.number,
          type: T[f.type] as FieldDescriptorProto_Type,
          label: (f.label ?? OPTIONAL) as FieldDescriptorProto_Label,
          jsonName: f.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
          ...(f.proto3Optional && { proto3Optional: true, oneofIndex: 0 }),
        })),
        oneofDecl: fields.some((f) => f.proto3Optional) ? [{ name: '_opt' }] : [],
      },
    ],
  });
  return createFileRegistry(file, () => undefined).getMessage(`test.v1.${name}`)!;
}

// Declared out of number order: JSON follows the field numbers, as protobuf-es writes it.
const Simple = schemaOf('Simple', [
  { name: 'payload_bytes', number: 9, type: 'bytes' },
  { name: 'text', number: 1, type: 'string' },
  { name: 'count', number: 2, type: 'int32' },
  { name: 'unsigned_count', number: 3, type: 'uint32' },
  { name: 'zigzag', number: 4, type: 'sint32' },
  { name: 'fixed', number: 5, type: 'fixed32' },
  { name: 'sfixed', number: 6, type: 'sfixed32' },
  { name: 'flag', number: 7, type: 'bool' },
]);

describe('simpleJsonWriter', () => {
  const write = simpleJsonWriter(Simple)!;

  it('writes what protobuf-es toJsonString writes', () => {
    const inits = [
      {},
      { text: 'hello', count: 42, payloadBytes: new Uint8Array([0, 1, 2, 250, 251, 252, 253]) },
      { text: 'quote " backslash \\ newline \n tab \t nul \0 é 漢字 😀 lone \ud800', flag: true },
      { count: -2147483648, unsignedCount: 4294967295, zigzag: -5, fixed: 7, sfixed: -7 },
      { count: 0, text: '', flag: false, payloadBytes: new Uint8Array(0) },
      { payloadBytes: new Uint8Array(64).fill(0x5a) },
      { payloadBytes: new Uint8Array([1]) }, // padding
      { payloadBytes: new Uint8Array([1, 2]) },
      { payloadBytes: Buffer.from('a slice of a larger buffer').subarray(2, 9) },
    ];
    for (const init of inits) {
      const message = create(Simple, init as never);
      assert.equal(write(message), toJsonString(Simple, message), JSON.stringify(init));
    }
  });

  it('leaves a value of another type, or another message, to protobuf-es', () => {
    const message = create(Simple, { text: 'x' } as never) as unknown as Record<string, unknown>;
    for (const [key, bad] of [
      ['count', '42'],
      ['count', Number.NaN],
      ['text', 42],
      ['flag', 1],
      ['payloadBytes', 'AQI='],
    ] as const) {
      assert.equal(write({ ...message, [key]: bad }), undefined, `${key}: ${String(bad)}`);
    }
    assert.equal(write(create(HealthCheckRequestSchema, { service: 'x' })), undefined);
  });

  it('takes only simple proto3 messages', () => {
    assert.ok(simpleJsonWriter(HealthCheckRequestSchema)); // one string field
    assert.equal(simpleJsonWriter(HealthCheckResponseSchema), undefined); // an enum
    assert.equal(simpleJsonWriter(schemaOf('Wide', [{ name: 'n', number: 1, type: 'int64' }])), undefined);
    assert.equal(
      simpleJsonWriter(schemaOf('List', [{ name: 'n', number: 1, type: 'int32', label: REPEATED }])),
      undefined,
    );
    assert.equal(
      simpleJsonWriter(schemaOf('Opt', [{ name: 'n', number: 1, type: 'int32', proto3Optional: true }])),
      undefined,
    );
  });
});
