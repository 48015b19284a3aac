// protoc's name resolution, case by case (descriptor.cc, LookupSymbolNoPlaceholder).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { type Resolution, SymbolScope } from './symbol-scope.js';

const scope = new SymbolScope([
  create(FileDescriptorProtoSchema, {
    name: 'pkg.proto',
    package: 'pkg',
    messageType: [
      { name: 'Inner', nestedType: [{ name: 'Deep' }] },
      {
        name: 'Outer',
        nestedType: [{ name: 'Inner' }, { name: 'Middle', nestedType: [{ name: 'Inner' }] }],
        enumType: [{ name: 'Kind', value: [{ name: 'KIND_A', number: 0 }] }],
      },
      // A field named like a type.
      { name: 'M', field: [{ name: 'Inner', number: 1 }] },
    ],
  }),
  create(FileDescriptorProtoSchema, {
    name: 'id.proto',
    package: 's2a.proto',
    messageType: [{ name: 'Identity' }],
  }),
  create(FileDescriptorProtoSchema, {
    name: 's2a.proto',
    package: 'grpc.gcp.s2a',
    messageType: [{ name: 'Req' }],
  }),
  create(FileDescriptorProtoSchema, {
    name: 'root.proto',
    messageType: [{ name: 'Top', field: [{ name: 'bar', number: 1 }] }, { name: 'Bar' }],
  }),
]);

const found = (r: Resolution) => ('fullName' in r ? r.fullName : r.error);

describe('protobuf name resolution', () => {
  it('searches the innermost scope first, then each enclosing one', () => {
    assert.equal(found(scope.lookup('Inner', 'pkg.Outer.Middle.f', true)), 'pkg.Outer.Middle.Inner');
    assert.equal(found(scope.lookup('Inner', 'pkg.Outer.f', true)), 'pkg.Outer.Inner');
    assert.equal(found(scope.lookup('Inner', 'pkg.M2.f', true)), 'pkg.Inner');
    assert.equal(found(scope.lookup('Kind', 'pkg.Outer.Middle.f', true)), 'pkg.Outer.Kind');
    assert.equal(found(scope.lookup('Bar', 'Top.bar', true)), 'Bar'); // a file with no package
  });

  it('resolves the first component of a dotted name, then the rest inside what it found', () => {
    assert.equal(found(scope.lookup('Outer.Inner', 'pkg.Outer.Middle.f', true)), 'pkg.Outer.Inner');
    assert.equal(found(scope.lookup('pkg.Inner.Deep', 'pkg.Outer.f', true)), 'pkg.Inner.Deep');
    // protoc's own example: "s2a" is found as the package grpc.gcp.s2a, so the name never reaches
    // the root package s2a.proto; a leading dot does.
    assert.equal(
      found(scope.lookup('s2a.proto.Identity', 'grpc.gcp.s2a.Req.f', true)),
      '"s2a.proto.Identity" is resolved to "grpc.gcp.s2a.proto.Identity", which is not defined',
    );
    assert.equal(
      found(scope.lookup('.s2a.proto.Identity', 'grpc.gcp.s2a.Req.f', true)),
      's2a.proto.Identity',
    );
    assert.equal(found(scope.lookup('s2a.proto.Identity', 'pkg.Outer.f', true)), 's2a.proto.Identity');
  });

  it('passes over hits that cannot be what is asked for', () => {
    // A field's type skips the field M.Inner; an extendee or method type takes the first hit.
    assert.equal(found(scope.lookup('Inner', 'pkg.M.f', true)), 'pkg.Inner');
    assert.equal(found(scope.lookup('Inner', 'pkg.M.f', false)), 'pkg.M.Inner');
    // The first component must be able to hold names: the field M.Inner cannot.
    assert.equal(found(scope.lookup('Inner.Deep', 'pkg.M.f', true)), 'pkg.Inner.Deep');
  });

  it('knows enum values as siblings of their enum, and says what is missing', () => {
    assert.equal(scope.get('pkg.Outer.KIND_A')?.kind, 'enum value');
    assert.equal(scope.get('pkg.Outer.Kind.KIND_A'), undefined);
    assert.equal(found(scope.lookup('Nope', 'pkg.Outer.f', true)), '"Nope" is not defined');
    assert.equal(found(scope.lookup('.Inner', 'pkg.Outer.f', true)), '".Inner" is not defined');
  });
});
