// The registry built from descriptors as a grpc-js server holds them (protobufjs, through
// @grpc/proto-loader: relative names, map entries named after their field, no json_name, the
// well-known types left out) must match the one buf compiles from the same .proto source. (Not
// tested: a reference to a type that a nearer scope shadows, such as Outer.Inner used inside
// Outer.Middle beside Middle.Inner. protobufjs writes it as "Inner", which by protoc's rules means
// Middle.Inner; the descriptor itself is wrong, and the CLI reads it as protoc and grpcurl would.)

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type DescField, type DescMessage, type FileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import * as protoLoader from '@grpc/proto-loader';
import { registryFromFiles } from './file-registry.js';
import { compileProtoFiles } from './proto-compile.js';

const scopeProto = `syntax = "proto3";
package scope.v1;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";

message Outer {
  message Inner { int32 x = 1; }
  enum Kind { KIND_UNSET = 0; KIND_A = 1; }
  message Middle {
    message Inner { string y = 1; }
    Inner inner = 1;            // Outer.Middle.Inner, not Outer.Inner
    ByName by_name = 2;         // Outer.ByName, from the enclosing scope
    Kind kind = 3;
    map<string, ByName> by_key = 4;
  }
  message ByName { string z = 1; }
  map<string, ByName> by_name = 1; // protobufjs names this map's entry ByName too
  Middle middle = 2;
  google.protobuf.Timestamp at = 3;
  repeated ByName by_name_list = 4;
}

message Uses {
  Outer.Middle.Inner deep = 1;
  scope.v1.Outer.Kind kind = 2;
  google.protobuf.Duration took = 3;
}

service Scoped {
  rpc Get(Outer.Middle) returns (Uses);
}
`;

/** What a field holds, by the full names of the types it points at. */
function shape(field: DescField): string {
  switch (field.fieldKind) {
    case 'scalar':
      return `scalar ${field.scalar}`;
    case 'enum':
    case 'message':
      return `${field.fieldKind} ${(field.fieldKind === 'enum' ? field.enum : field.message).typeName}`;
    case 'list':
      return `list ${field.listKind === 'scalar' ? field.scalar : (field.listKind === 'enum' ? field.enum : field.message).typeName}`;
    case 'map':
      return `map ${field.mapKey} ${field.mapKind === 'scalar' ? field.scalar : (field.mapKind === 'enum' ? field.enum : field.message).typeName}`;
  }
}

function messages(registry: FileRegistry): DescMessage[] {
  const all: DescMessage[] = [];
  for (const type of registry)
    if (type.kind === 'message' && type.typeName.startsWith('scope.')) all.push(type);
  return all;
}

describe('registry from grpc-js (protobufjs) descriptors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-scope-'));
  mkdirSync(join(dir, 'scope', 'v1'), { recursive: true });
  writeFileSync(join(dir, 'scope/v1/scope.proto'), scopeProto);

  for (const keepCase of [false, true]) {
    it(`links every name as buf does (keepCase: ${keepCase})`, () => {
      const compiled = registryFromFiles(compileProtoFiles(['scope/v1/scope.proto'], [dir]), 'buf');
      const definition = protoLoader.loadSync('scope/v1/scope.proto', { includeDirs: [dir], keepCase });
      const served = new Map<string, Uint8Array>();
      for (const entry of Object.values(definition)) {
        for (const bytes of (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos ?? []) {
          const file = fromBinary(FileDescriptorProtoSchema, bytes);
          // grpc-js's reflection serves the app's own files only.
          if (file.package !== 'google.protobuf') served.set(file.name, bytes);
        }
      }
      const files = [...served.values()].map((b) => fromBinary(FileDescriptorProtoSchema, b));
      const linked = registryFromFiles(files, 'grpc-js');

      const expected = messages(compiled).filter((m) => !m.proto.options?.mapEntry);
      assert.equal(expected.length, 6);
      for (const message of expected) {
        const ours = linked.getMessage(message.typeName);
        assert.ok(ours, `no ${message.typeName}`);
        const byNumber = (m: DescMessage) => Object.fromEntries(m.fields.map((f) => [f.number, shape(f)]));
        assert.deepEqual(byNumber(ours), byNumber(message), message.typeName);
        // JSON names as protoc sets them, whatever case the field names came in.
        assert.deepEqual(
          ours.fields.map((f) => f.jsonName),
          message.fields.map((f) => f.jsonName),
        );
      }
      const get = linked.getService('scope.v1.Scoped')?.methods[0];
      assert.equal(get?.input.typeName, 'scope.v1.Outer.Middle');
      assert.equal(get?.output.typeName, 'scope.v1.Uses');
    });
  }
});
