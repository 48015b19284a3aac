// Test support (internal): Envoy's REAL .proto files, loaded with protobufjs from the copy that
// @grpc/grpc-js-xds ships, and a field-by-field comparison of one of our decoded messages with a
// protobufjs-decoded one. This is how the tests prove our field names and numbers are Envoy's.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import {
  type DescEnum,
  type DescField,
  type DescMessage,
  isMessage,
  type Message,
  ScalarType,
} from '@bufbuild/protobuf';
import protobuf from 'protobufjs';

const ENTRY_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/status/v3/csds.proto',
  'envoy/service/load_stats/v3/lrs.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/clusters/aggregate/v3/cluster.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/load_balancing_policies/round_robin/v3/round_robin.proto',
  'envoy/extensions/load_balancing_policies/least_request/v3/least_request.proto',
  'envoy/extensions/load_balancing_policies/ring_hash/v3/ring_hash.proto',
  'envoy/extensions/load_balancing_policies/maglev/v3/maglev.proto',
  'envoy/extensions/load_balancing_policies/random/v3/random.proto',
  'envoy/extensions/load_balancing_policies/wrr_locality/v3/wrr_locality.proto',
  'envoy/extensions/load_balancing_policies/pick_first/v3/pick_first.proto',
  'envoy/type/matcher/v3/node.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/grpc_stats/v3/config.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
];

/** Loads Envoy's own protos (with their imports) into a fresh protobufjs Root, names as written. */
export function loadRealEnvoy(): protobuf.Root {
  const require = createRequire(import.meta.url);
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds')), '..', '..', 'deps');
  const includes = ['envoy-api', 'googleapis', 'protoc-gen-validate', 'xds'].map((d) => join(deps, d));
  // google/protobuf/*.proto: protobufjs ships them (some are also built in).
  includes.push(dirname(require.resolve('protobufjs')));
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (isAbsolute(target)) return target;
    for (const dir of includes) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync(ENTRY_FILES, { keepCase: true });
  root.resolveAll();
  return root;
}

/** protobufjs's decode-to-object options the comparison below expects. */
export const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: Array };

const WRAPPERS = new Set([
  'google.protobuf.BoolValue',
  'google.protobuf.UInt32Value',
  'google.protobuf.Int32Value',
  'google.protobuf.UInt64Value',
  'google.protobuf.Int64Value',
  'google.protobuf.DoubleValue',
  'google.protobuf.FloatValue',
  'google.protobuf.StringValue',
  'google.protobuf.BytesValue',
]);

type Plain = Record<string, unknown>;

/**
 * Compares our message with protobufjs's plain object of the same bytes, field by field, and
 * returns every difference as `path: ours … theirs …` (empty when they agree).
 */
export function diffAgainstReal(schema: DescMessage, ours: Message, theirs: Plain): string[] {
  const diffs: string[] = [];
  compareMessage(ours as unknown as Plain, theirs, schema, '', diffs);
  return diffs;
}

/**
 * Checks one of our message descriptors against the real Envoy type of the same full name: every
 * field we declare must exist there with the same number, name, kind and type; enums likewise.
 */
export function diffSchema(desc: DescMessage, root: protobuf.Root): string[] {
  const diffs: string[] = [];
  const real = root.lookup(desc.typeName);
  if (!(real instanceof protobuf.Type)) return [`${desc.typeName}: no such message in Envoy's protos`];
  for (const field of desc.fields) {
    const where = `${desc.typeName}.${field.name} = ${field.number}`;
    const theirs = real.fieldsById[field.number];
    if (!theirs) {
      diffs.push(`${where}: Envoy has no field with that number`);
      continue;
    }
    if (theirs.name !== field.name) diffs.push(`${where}: Envoy calls it ${theirs.name}`);
    const ourType = describeType(field);
    const theirType = describeRealType(theirs);
    if (ourType !== theirType) diffs.push(`${where}: type ${ourType}, Envoy ${theirType}`);
    if ((field.oneof?.name ?? '') !== (theirs.partOf?.name ?? '')) {
      diffs.push(`${where}: oneof ${field.oneof?.name ?? '-'}, Envoy ${theirs.partOf?.name ?? '-'}`);
    }
  }
  for (const e of desc.nestedEnums) diffs.push(...diffEnum(e, root));
  for (const m of desc.nestedMessages) diffs.push(...diffSchema(m, root));
  return diffs;
}

/** Checks that every value of our enum has the same number in Envoy's enum of the same name. */
export function diffEnum(desc: DescEnum, root: protobuf.Root): string[] {
  const real = root.lookup(desc.typeName);
  if (!(real instanceof protobuf.Enum)) return [`${desc.typeName}: no such enum in Envoy's protos`];
  return desc.values
    .filter((v) => real.values[v.name] !== v.number)
    .map((v) => `${desc.typeName}.${v.name} = ${v.number}: Envoy has ${real.values[v.name]}`);
}

function scalarName(scalar: ScalarType): string {
  return ScalarType[scalar].toLowerCase();
}

function describeType(field: DescField): string {
  switch (field.fieldKind) {
    case 'scalar':
      return scalarName(field.scalar);
    case 'enum':
      return field.enum.typeName;
    case 'message':
      return field.message.typeName;
    case 'list':
      return `repeated ${field.listKind === 'scalar' ? scalarName(field.scalar) : field.listKind === 'enum' ? field.enum.typeName : field.message.typeName}`;
    case 'map': {
      const value =
        field.mapKind === 'scalar'
          ? scalarName(field.scalar)
          : field.mapKind === 'enum'
            ? field.enum.typeName
            : field.message.typeName;
      return `map<${scalarName(field.mapKey)}, ${value}>`;
    }
  }
}

function describeRealType(field: protobuf.Field): string {
  const resolved = field.resolvedType;
  const type = resolved ? resolved.fullName.replace(/^\./, '') : field.type;
  if (field instanceof protobuf.MapField) return `map<${field.keyType}, ${type}>`;
  return field.repeated ? `repeated ${type}` : type;
}

function compareMessage(ours: Plain, theirs: Plain, desc: DescMessage, path: string, diffs: string[]): void {
  for (const field of desc.fields) {
    const here = path ? `${path}.${field.name}` : field.name;
    const mine = field.oneof
      ? (ours[field.oneof.localName] as { case?: string; value?: unknown }).case === field.localName
        ? (ours[field.oneof.localName] as { value: unknown }).value
        : undefined
      : ours[field.localName];
    compareField(field, mine, theirs[field.name], here, diffs);
  }
}

function compareField(field: DescField, mine: unknown, theirs: unknown, path: string, diffs: string[]): void {
  switch (field.fieldKind) {
    case 'list': {
      const a = (mine as unknown[]) ?? [];
      const b = (theirs as unknown[] | undefined) ?? [];
      if (a.length !== b.length) diffs.push(`${path}: ours has ${a.length} items, theirs ${b.length}`);
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        compareValue(field.listKind, field, a[i], b[i], `${path}[${i}]`, diffs);
      }
      return;
    }
    case 'map': {
      const a = (mine as Plain) ?? {};
      const b = (theirs as Plain | undefined) ?? {};
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const key of keys) compareValue(field.mapKind, field, a[key], b[key], `${path}[${key}]`, diffs);
      return;
    }
    case 'message':
      if (mine === undefined && theirs === undefined) return;
      compareValue('message', field, mine, theirs, path, diffs);
      return;
    default:
      compareValue(field.fieldKind, field, mine, theirs, path, diffs);
  }
}

function compareValue(
  kind: string,
  field: DescField,
  mine: unknown,
  theirs: unknown,
  path: string,
  diffs: string[],
) {
  if (kind === 'message') {
    const message = field.message!;
    if (mine === undefined || theirs === undefined) {
      if (mine !== theirs) diffs.push(`${path}: ours ${show(mine)}, theirs ${show(theirs)}`);
    } else if (WRAPPERS.has(message.typeName)) {
      // Unboxed, except as a oneof member.
      const value = isMessage(mine) ? (mine as unknown as Plain).value : mine;
      compareScalar(wrapperScalar(message), value, (theirs as Plain).value, path, diffs);
    } else if (message.typeName === 'google.protobuf.Struct') {
      const theirsJson = structToJson(theirs as Plain);
      if (JSON.stringify(mine) !== JSON.stringify(theirsJson)) {
        diffs.push(`${path}: ours ${show(mine)}, theirs ${show(theirsJson)}`);
      }
    } else if (isMessage(mine)) {
      compareMessage(mine as unknown as Plain, theirs as Plain, message, path, diffs);
    } else {
      diffs.push(`${path}: ours is not a message`);
    }
    return;
  }
  if (kind === 'enum') {
    const a = (mine as number | undefined) ?? 0;
    const b = (theirs as number | undefined) ?? 0;
    if (a !== b) diffs.push(`${path}: ours ${a}, theirs ${b}`);
    return;
  }
  compareScalar(field.scalar ?? ScalarType.STRING, mine, theirs, path, diffs);
}

function wrapperScalar(message: DescMessage): ScalarType {
  return message.fields[0]?.scalar ?? ScalarType.STRING;
}

function compareScalar(scalar: ScalarType, mine: unknown, theirs: unknown, path: string, diffs: string[]) {
  const a = normalize(scalar, mine);
  const b = normalize(scalar, theirs);
  if (a !== b) diffs.push(`${path}: ours ${a}, theirs ${b}`);
}

function normalize(scalar: ScalarType, value: unknown): string {
  switch (scalar) {
    case ScalarType.BOOL:
      return String(value ?? false);
    case ScalarType.STRING:
      return String(value ?? '');
    case ScalarType.BYTES:
      return Buffer.from((value as Uint8Array | number[] | undefined) ?? []).toString('hex');
    default:
      return String(value ?? 0);
  }
}

function structToJson(struct: Plain): Plain {
  const out: Plain = {};
  for (const [k, v] of Object.entries((struct.fields as Record<string, Plain>) ?? {}))
    out[k] = valueToJson(v);
  return out;
}

// protobufjs's built-in google.protobuf.Value uses camelCase field names.
function valueToJson(v: Plain): unknown {
  if ('structValue' in v) return structToJson(v.structValue as Plain);
  if ('listValue' in v) return ((v.listValue as Plain).values as Plain[] | undefined)?.map(valueToJson) ?? [];
  if ('stringValue' in v) return v.stringValue;
  if ('numberValue' in v) return v.numberValue;
  if ('boolValue' in v) return v.boolValue;
  return null;
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x));
}
