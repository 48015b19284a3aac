// Internal, for tests only: parts of the Dubbo shop sample as protobuf descriptors made in code
// (org.apache.dubbo.samples.UserService getInfo/login, and DetailService's GetItemRequest, whose
// fields Dubbo's argument conditions read), so the control plane's suites can run real @shoal/rpc
// providers and @shoal/mesh consumers of them, and match arguments, without generated code.

import { create, createFileRegistry, type DescMessage, type DescService } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';

const T = FieldDescriptorProto_Type;
const OPTIONAL = FieldDescriptorProto_Label.OPTIONAL;
const field = (name: string, number: number, type: FieldDescriptorProto_Type) => ({
  name,
  jsonName: name,
  number,
  type,
  label: OPTIONAL,
});

const file = create(FileDescriptorProtoSchema, {
  name: 'shop-test.proto',
  package: 'org.apache.dubbo.samples',
  syntax: 'proto3',
  messageType: [
    { name: 'GetInfoRequest', field: [field('username', 1, T.STRING)] },
    { name: 'Instance', field: [field('server', 1, T.STRING)] },
    { name: 'GetItemRequest', field: [field('sku', 1, T.INT64), field('username', 2, T.STRING)] },
  ],
  service: [
    {
      name: 'UserService',
      method: [
        {
          name: 'getInfo',
          inputType: '.org.apache.dubbo.samples.GetInfoRequest',
          outputType: '.org.apache.dubbo.samples.Instance',
        },
        {
          name: 'login',
          inputType: '.org.apache.dubbo.samples.GetInfoRequest',
          outputType: '.org.apache.dubbo.samples.Instance',
        },
      ],
    },
  ],
});

const registry = createFileRegistry(file, () => undefined);

export const UserService = registry.getService('org.apache.dubbo.samples.UserService') as DescService;
export const GetInfoRequest = registry.getMessage('org.apache.dubbo.samples.GetInfoRequest') as DescMessage;
export const Instance = registry.getMessage('org.apache.dubbo.samples.Instance') as DescMessage;
export const GetItemRequest = registry.getMessage('org.apache.dubbo.samples.GetItemRequest') as DescMessage;
