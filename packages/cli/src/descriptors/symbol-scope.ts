// The symbols of a set of .proto files and protobuf's name resolution over them, as protoc does it
// (protobuf's language guide, "Packages and Name Resolution"; descriptor.cc,
// DescriptorBuilder::LookupSymbolNoPlaceholder). A name with a leading dot is fully qualified. Any
// other name is looked up from the innermost scope outwards: for `Bar.Baz` used inside
// `pkg.Foo.field`, the first component `Bar` is tried as `pkg.Foo.Bar`, `pkg.Bar`, `Bar`, and the
// first hit that can hold names (a message, enum, service or package) decides: the rest, `.Baz`, must
// be inside it. A field's simple type name skips hits that are not types (a field named like a
// message).

import type { DescriptorProto, FileDescriptorProto } from '@bufbuild/protobuf/wkt';

export type SymbolKind =
  | 'package'
  | 'message'
  | 'enum'
  | 'enum value'
  | 'service'
  | 'method'
  | 'field'
  | 'oneof'
  | 'extension';

export interface ProtoSymbol {
  readonly kind: SymbolKind;
  /** The file that declares it (a package spans files: the first one seen). */
  readonly file: string;
}

const aggregates: ReadonlySet<SymbolKind> = new Set(['message', 'enum', 'service', 'package']);

export const isTypeSymbol = (s: ProtoSymbol | undefined): boolean =>
  s?.kind === 'message' || s?.kind === 'enum';

/** `scope.name`, or `name` at the root. */
export const qualify = (scope: string, name: string): string => (scope ? `${scope}.${name}` : name);

export type Resolution =
  | { readonly fullName: string; readonly symbol: ProtoSymbol }
  | { readonly error: string };

export class SymbolScope {
  private readonly symbols = new Map<string, ProtoSymbol>();

  constructor(files: readonly FileDescriptorProto[]) {
    for (const file of files) this.addFile(file);
  }

  get(fullName: string): ProtoSymbol | undefined {
    return this.symbols.get(fullName);
  }

  /**
   * Resolves `name` as written inside the element `relativeTo` (the full name of the field or
   * method that uses it). `typesOnly` (protoc's LOOKUP_TYPES, used for a field's type_name) passes
   * over a simple name's hits that are not types; extendees and method types take the first hit.
   * The caller checks that what it found is of the kind it needs.
   */
  lookup(name: string, relativeTo: string, typesOnly: boolean): Resolution {
    const found = (fullName: string): Resolution => {
      const symbol = this.symbols.get(fullName);
      return symbol ? { fullName, symbol } : { error: `"${name}" is not defined` };
    };
    if (name.startsWith('.')) return found(name.slice(1));
    const dot = name.indexOf('.');
    const first = dot < 0 ? name : name.slice(0, dot);
    let scope = relativeTo;
    for (;;) {
      const cut = scope.lastIndexOf('.');
      if (cut < 0) return found(name);
      scope = scope.slice(0, cut);
      const candidate = `${scope}.${first}`;
      const hit = this.symbols.get(candidate);
      if (hit === undefined) continue;
      if (dot < 0) {
        if (!typesOnly || isTypeSymbol(hit)) return { fullName: candidate, symbol: hit };
      } else if (aggregates.has(hit.kind)) {
        const fullName = candidate + name.slice(dot);
        const symbol = this.symbols.get(fullName);
        return symbol
          ? { fullName, symbol }
          : { error: `"${name}" is resolved to "${fullName}", which is not defined` };
      }
    }
  }

  private add(fullName: string, kind: SymbolKind, file: string): void {
    // The first declaration wins, as in a descriptor pool; duplicates are the registry's to report.
    if (!this.symbols.has(fullName)) this.symbols.set(fullName, { kind, file });
  }

  private addFile(file: FileDescriptorProto): void {
    const parts = file.package ? file.package.split('.') : [];
    for (let i = 1; i <= parts.length; i++) this.add(parts.slice(0, i).join('.'), 'package', file.name);
    const scope = file.package;
    for (const message of file.messageType) this.addMessage(message, scope, file.name);
    for (const e of file.enumType) this.addEnum(e.name, e.value, scope, file.name);
    for (const ext of file.extension) this.add(qualify(scope, ext.name), 'extension', file.name);
    for (const service of file.service) {
      const name = qualify(scope, service.name);
      this.add(name, 'service', file.name);
      for (const method of service.method) this.add(qualify(name, method.name), 'method', file.name);
    }
  }

  private addMessage(message: DescriptorProto, scope: string, file: string): void {
    const name = qualify(scope, message.name);
    this.add(name, 'message', file);
    for (const field of message.field) this.add(qualify(name, field.name), 'field', file);
    for (const oneof of message.oneofDecl) this.add(qualify(name, oneof.name), 'oneof', file);
    for (const ext of message.extension) this.add(qualify(name, ext.name), 'extension', file);
    for (const nested of message.nestedType) this.addMessage(nested, name, file);
    for (const e of message.enumType) this.addEnum(e.name, e.value, name, file);
  }

  /** Enum values are siblings of their enum (C++ scoping), not children. */
  private addEnum(enumName: string, values: readonly { name: string }[], scope: string, file: string): void {
    this.add(qualify(scope, enumName), 'enum', file);
    for (const value of values) this.add(qualify(scope, value.name), 'enum value', file);
  }
}
