// Links descriptors as protoc would before handing them on: every type name made fully qualified
// (protobuf's scoping rules, symbol-scope.ts), a field's type set from what its name resolved to
// when the descriptor left it out, json_name filled in (protoc's ToJsonName), and each file's
// dependency list completed with the files it uses. Servers built on protobufjs (grpc-js with
// @grpc/reflection) send relative names, no json_name and, for files merged by package, no imports.

import { isFieldSet } from '@bufbuild/protobuf';
import {
  type DescriptorProto,
  type FieldDescriptorProto,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import { isTypeSymbol, qualify, type SymbolScope } from './symbol-scope.js';

/** protoc's ToJsonName: `rpcs_by_peer` → `rpcsByPeer`. */
export function jsonName(fieldName: string): string {
  return fieldName.replace(/_+(.?)/g, (_, next: string) => next.toUpperCase());
}

/** Links one file against `scope`; every problem is added to `errors` with its place. */
export function linkFile(file: FileDescriptorProto, scope: SymbolScope, errors: string[]): void {
  const deps = new Set(file.dependency);
  const resolve = (name: string, relativeTo: string, where: string, want: 'type' | 'message') => {
    const found = scope.lookup(name, relativeTo, want === 'type');
    if ('error' in found) {
      errors.push(`${file.name}: ${where}: ${found.error}`);
      return undefined;
    }
    const ok = want === 'type' ? isTypeSymbol(found.symbol) : found.symbol.kind === 'message';
    if (!ok) {
      errors.push(`${file.name}: ${where}: "${name}" is a ${found.symbol.kind}, not a ${want}`);
      return undefined;
    }
    if (found.symbol.file !== file.name && !deps.has(found.symbol.file)) {
      deps.add(found.symbol.file);
      file.dependency.push(found.symbol.file);
    }
    return found;
  };

  const linkField = (field: FieldDescriptorProto, scopeName: string, extension: boolean) => {
    const fullName = qualify(scopeName, field.name);
    if (field.typeName) {
      const found = resolve(field.typeName, fullName, `field ${fullName}`, 'type');
      if (found) {
        field.typeName = `.${found.fullName}`;
        if (!isFieldSet(field, FieldDescriptorProtoSchema.field.type)) {
          field.type =
            found.symbol.kind === 'enum' ? FieldDescriptorProto_Type.ENUM : FieldDescriptorProto_Type.MESSAGE;
        }
      }
    }
    if (field.extendee) {
      const found = resolve(field.extendee, fullName, `extension ${fullName}`, 'message');
      if (found) field.extendee = `.${found.fullName}`;
    }
    if (!extension && !isFieldSet(field, FieldDescriptorProtoSchema.field.jsonName)) {
      field.jsonName = jsonName(field.name);
    }
  };

  const linkMessage = (message: DescriptorProto, fullName: string) => {
    for (const field of message.field) linkField(field, fullName, false);
    for (const ext of message.extension) linkField(ext, fullName, true);
    for (const nested of message.nestedType) linkMessage(nested, `${fullName}.${nested.name}`);
  };

  for (const message of file.messageType) linkMessage(message, qualify(file.package, message.name));
  for (const ext of file.extension) linkField(ext, file.package, true);
  for (const service of file.service) {
    const serviceName = qualify(file.package, service.name);
    for (const method of service.method) {
      const fullName = `${serviceName}.${method.name}`;
      const input = resolve(method.inputType, fullName, `method ${fullName} input`, 'message');
      if (input) method.inputType = `.${input.fullName}`;
      const output = resolve(method.outputType, fullName, `method ${fullName} output`, 'message');
      if (output) method.outputType = `.${output.fullName}`;
    }
  }
}
