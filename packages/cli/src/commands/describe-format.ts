// Prints protobuf descriptors back as .proto-like text, as grpcurl describe does.

import type { DescEnum, DescField, DescMessage, DescMethod, DescService } from '@bufbuild/protobuf';

export function formatMethod(m: DescMethod): string {
  const input = m.methodKind === 'client_streaming' || m.methodKind === 'bidi_streaming' ? 'stream ' : '';
  const output = m.methodKind === 'server_streaming' || m.methodKind === 'bidi_streaming' ? 'stream ' : '';
  return `rpc ${m.name}(${input}.${m.input.typeName}) returns (${output}.${m.output.typeName});`;
}

export function formatService(s: DescService): string {
  return [`service ${s.name} {`, ...s.methods.map((m) => `  ${formatMethod(m)}`), '}'].join('\n');
}

function fieldType(f: DescField): string {
  switch (f.fieldKind) {
    case 'scalar':
      return scalarName(f.scalar);
    case 'enum':
      return `.${f.enum.typeName}`;
    case 'message':
      return `.${f.message.typeName}`;
    case 'list':
      return `repeated ${f.listKind === 'scalar' ? scalarName(f.scalar) : `.${(f.listKind === 'enum' ? f.enum : f.message).typeName}`}`;
    case 'map': {
      const value =
        f.mapKind === 'scalar'
          ? scalarName(f.scalar)
          : `.${(f.mapKind === 'enum' ? f.enum : f.message).typeName}`;
      return `map<${scalarName(f.mapKey)}, ${value}>`;
    }
  }
}

const scalarNames: Record<number, string> = {
  1: 'double',
  2: 'float',
  3: 'int64',
  4: 'uint64',
  5: 'int32',
  6: 'fixed64',
  7: 'fixed32',
  8: 'bool',
  9: 'string',
  12: 'bytes',
  13: 'uint32',
  15: 'sfixed32',
  16: 'sfixed64',
  17: 'sint32',
  18: 'sint64',
};

function scalarName(scalar: number): string {
  return scalarNames[scalar] ?? `scalar${scalar}`;
}

export function formatMessage(m: DescMessage): string {
  const lines = [`message ${m.name} {`];
  for (const f of m.fields) {
    const oneof = f.oneof ? ` // oneof ${f.oneof.name}` : '';
    lines.push(`  ${fieldType(f)} ${f.name} = ${f.number};${oneof}`);
  }
  lines.push('}');
  return lines.join('\n');
}

export function formatEnum(e: DescEnum): string {
  return [`enum ${e.name} {`, ...e.values.map((v) => `  ${v.name} = ${v.number};`), '}'].join('\n');
}
