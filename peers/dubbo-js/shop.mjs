// The Dubbo shop's DetailService for dubbo-js (protobuf-es 1, which dubbo-js is built on), defined
// at run time with the same names and field numbers as interop/proto/org/apache/dubbo/samples/shop.proto.

import { MethodKind, proto3, ScalarType } from '@bufbuild/protobuf';

export const GetItemRequest = proto3.makeMessageType('org.apache.dubbo.samples.GetItemRequest', [
  { no: 1, name: 'sku', kind: 'scalar', T: ScalarType.INT64 },
  { no: 2, name: 'username', kind: 'scalar', T: ScalarType.STRING },
]);

export const Instance = proto3.makeMessageType('org.apache.dubbo.samples.Instance', [
  { no: 1, name: 'server', kind: 'scalar', T: ScalarType.STRING },
  { no: 2, name: 'headers', kind: 'map', K: ScalarType.STRING, V: { kind: 'scalar', T: ScalarType.STRING } },
]);

export const DetailService = {
  typeName: 'org.apache.dubbo.samples.DetailService',
  methods: {
    getItem: { name: 'getItem', I: GetItemRequest, O: Instance, kind: MethodKind.Unary },
    watchItem: { name: 'watchItem', I: GetItemRequest, O: Instance, kind: MethodKind.ServerStreaming },
  },
};
