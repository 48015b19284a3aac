// protobufjs, which @grpc/proto-loader and @grpc/reflection build descriptors with, names a map
// field's entry message after the field (`rpcs_by_peer` → `Rpcs_by_peer`, or `RpcsByPeer` when
// loaded with keepCase: false) instead of protoc's `RpcsByPeerEntry` (descriptor.cc,
// MapEntryName). When that name is also a nested message of the same parent (gRPC's own
// LoadBalancerStatsResponse has a message RpcsByPeer beside a map rpcs_by_peer), two types share
// one full name. The entry is renamed to protoc's name and its field pointed at it, so every other
// reference to the name means the real message, as it did in the .proto source.

import {
  type DescriptorProto,
  FieldDescriptorProto_Label,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import { qualify } from './symbol-scope.js';

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const pascal = (s: string) => s.split('_').filter(Boolean).map(upperFirst).join('');

export function renameCollidingMapEntries(file: FileDescriptorProto): void {
  for (const message of file.messageType) renameIn(message, qualify(file.package, message.name));
}

function renameIn(message: DescriptorProto, fullName: string): void {
  const names = [...message.nestedType, ...message.enumType].map((t) => t.name);
  const taken = new Set(names);
  for (const entry of message.nestedType) {
    if (entry.options?.mapEntry !== true || names.filter((n) => n === entry.name).length < 2) continue;
    const owner = message.field.find(
      (f) =>
        f.label === FieldDescriptorProto_Label.REPEATED &&
        f.typeName === entry.name &&
        upperFirst(f.name) === entry.name,
    );
    if (!owner) continue;
    let name = `${pascal(owner.name)}Entry`;
    while (taken.has(name)) name += '_';
    taken.add(name);
    entry.name = name;
    owner.typeName = `.${fullName}.${name}`;
  }
  for (const nested of message.nestedType) renameIn(nested, `${fullName}.${nested.name}`);
}
