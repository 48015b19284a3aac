// Test support (internal): checks a message against the protoc-gen-validate (PGV) constraints
// written in Envoy's own .proto files, read from their `(validate.rules)`, `(validate.required)`
// and `(validate.disabled)` annotations at test time (protobufjs keeps them as parsed options).
// This is the validation Envoy runs on every resource it is sent, before using it, so a resource
// that passes here passes Envoy's first check. Nested `google.protobuf.Any` values are unpacked
// with Envoy's protos and checked too. A rule this validator does not know is reported as a
// violation, so nothing is skipped silently.
// PGV: validate/validate.proto (rule semantics), Envoy: MessageUtil::validate.

import { isIP } from 'node:net';
import protobuf from 'protobufjs';

export interface PgvViolation {
  /** Field path from the checked message (`filter_chains[1].filters[0].typed_config.stat_prefix`). */
  path: string;
  message: string;
}

type Rules = Record<string, unknown>;
type Plain = Record<string, unknown>;

/** Decodes `bytes` as Envoy's `typeName` and returns every PGV violation, with its path. */
export function validateWithPgv(root: protobuf.Root, typeName: string, bytes: Uint8Array): PgvViolation[] {
  const out: PgvViolation[] = [];
  const type = root.lookupType(typeName);
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (err) {
    return [{ path: '', message: `does not decode as ${typeName}: ${(err as Error).message}` }];
  }
  checkMessage(root, type, message as unknown as Plain, '', out);
  return out;
}

/** Every `(validate.rules)` option of a field, merged (protobufjs keeps one entry per option line). */
function fieldRules(field: protobuf.Field): Rules | undefined {
  let merged: Rules | undefined;
  for (const option of field.parsedOptions ?? []) {
    const rules = (option as Rules)['(validate.rules)'];
    if (rules && typeof rules === 'object') merged = deepMerge(merged ?? {}, rules as Rules);
  }
  return merged;
}

function deepMerge(a: Rules, b: Rules): Rules {
  const out: Rules = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      prev && typeof prev === 'object' && v && typeof v === 'object' && !Array.isArray(v)
        ? deepMerge(prev as Rules, v as Rules)
        : v;
  }
  return out;
}

function hasOption(options: protobuf.ReflectionObject['parsedOptions'], name: string): boolean {
  return (options ?? []).some((o) => (o as Rules)[name] === true);
}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

function checkMessage(
  root: protobuf.Root,
  type: protobuf.Type,
  msg: Plain,
  path: string,
  out: PgvViolation[],
): void {
  if (
    hasOption(type.parsedOptions, '(validate.disabled)') ||
    hasOption(type.parsedOptions, '(validate.ignored)')
  ) {
    return;
  }
  if (type.fullName === '.google.protobuf.Any') {
    checkAny(root, msg, path, out);
    return;
  }
  if (type.fullName.startsWith('.google.protobuf.')) return; // well-known types carry no rules
  for (const oneof of type.oneofsArray) {
    if (!hasOption(oneof.parsedOptions, '(validate.required)')) continue;
    if (!oneof.oneof.some((name) => isSet(msg, name))) {
      out.push({
        path: join(path, oneof.name),
        message: 'one of its fields is required (validate.required)',
      });
    }
  }
  for (const field of type.fieldsArray) {
    field.resolve();
    const here = join(path, field.name);
    const rules = fieldRules(field);
    const value = msg[field.name];
    const present = isSet(msg, field.name);
    // PGV applies the rules of a oneof member only when it is the member set.
    if (rules && (present || !field.partOf)) checkFieldRules(field, rules, value, present, here, out);
    if (!present || (rules?.message && (rules.message as Rules).skip === true)) continue;
    const fieldType = field.resolvedType;
    if (!(fieldType instanceof protobuf.Type)) continue;
    if (field.map) {
      for (const [k, v] of Object.entries((value as Plain) ?? {}))
        checkMessage(root, fieldType, v as Plain, `${here}[${k}]`, out);
    } else if (field.repeated) {
      (value as Plain[]).forEach((v, i) => {
        checkMessage(root, fieldType, v, `${here}[${i}]`, out);
      });
    } else {
      checkMessage(root, fieldType, value as Plain, here, out);
    }
  }
}

/** An Any is checked as the message it holds, which must be one of Envoy's types. */
function checkAny(root: protobuf.Root, any: Plain, path: string, out: PgvViolation[]): void {
  const typeUrl = String(any.type_url ?? '');
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const type = name ? root.lookup(name) : null;
  if (!(type instanceof protobuf.Type)) {
    out.push({ path, message: `holds ${typeUrl || 'no type'}, which is not one of Envoy's types` });
    return;
  }
  let inner: protobuf.Message;
  try {
    inner = type.decode((any.value as Uint8Array) ?? new Uint8Array());
  } catch (err) {
    out.push({ path, message: `does not decode as ${name}: ${(err as Error).message}` });
    return;
  }
  checkMessage(root, type, inner as unknown as Plain, path, out);
}

function isSet(msg: Plain, name: string): boolean {
  if (!Object.hasOwn(msg, name)) return false;
  const v = msg[name];
  return v !== null && v !== undefined;
}

const WRAPPER_RULE: Record<string, string> = {
  '.google.protobuf.DoubleValue': 'double',
  '.google.protobuf.FloatValue': 'float',
  '.google.protobuf.Int64Value': 'int64',
  '.google.protobuf.UInt64Value': 'uint64',
  '.google.protobuf.Int32Value': 'int32',
  '.google.protobuf.UInt32Value': 'uint32',
  '.google.protobuf.BoolValue': 'bool',
  '.google.protobuf.StringValue': 'string',
  '.google.protobuf.BytesValue': 'bytes',
};

function checkFieldRules(
  field: protobuf.Field,
  rules: Rules,
  value: unknown,
  present: boolean,
  path: string,
  out: PgvViolation[],
): void {
  const add = (message: string) => out.push({ path, message });
  for (const [kind, spec] of Object.entries(rules)) {
    const r = (spec ?? {}) as Rules;
    switch (kind) {
      case 'message':
        if (r.required === true && !present) add('is required');
        checkKnown(r, ['required', 'skip'], kind, add);
        break;
      case 'repeated': {
        const items = field.repeated ? ((value as unknown[]) ?? []) : [];
        checkRepeated(field, r, items, path, out);
        break;
      }
      case 'map': {
        const entries = Object.entries((value as Plain) ?? {});
        checkKnown(r, ['min_pairs', 'max_pairs', 'no_sparse', 'keys', 'values'], kind, add);
        if (r.min_pairs !== undefined && entries.length < Number(r.min_pairs))
          add(`needs at least ${r.min_pairs} entries`);
        if (r.max_pairs !== undefined && entries.length > Number(r.max_pairs))
          add(`takes at most ${r.max_pairs} entries`);
        for (const [k, v] of entries) {
          if (r.keys) checkScalarRules(r.keys as Rules, k, `${path}[${k}] (key)`, field, out);
          if (r.values) checkScalarRules(r.values as Rules, v, `${path}[${k}]`, field, out);
        }
        break;
      }
      case 'any':
        checkKnown(r, ['required', 'in', 'not_in'], kind, add);
        if (r.required === true && !present) add('is required');
        if (present) {
          const url = String((value as Plain).type_url);
          if (Array.isArray(r.in) && !r.in.includes(url)) add(`type ${url} is not one of ${r.in.join(', ')}`);
          if (Array.isArray(r.not_in) && r.not_in.includes(url)) add(`type ${url} is not allowed`);
        }
        break;
      case 'duration':
      case 'timestamp':
        checkKnown(
          r,
          ['required', 'const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'lt_now', 'gt_now', 'within'],
          kind,
          add,
        );
        if (r.required === true && !present) add('is required');
        if (present) {
          const v = value as Plain;
          const nanos = BigInt(String(v.seconds ?? 0)) * 1_000_000_000n + BigInt(String(v.nanos ?? 0));
          const toNanos = (d: unknown) => {
            const x = (d ?? {}) as Plain;
            return BigInt(String(x.seconds ?? 0)) * 1_000_000_000n + BigInt(String(x.nanos ?? 0));
          };
          checkRange(r, nanos, toNanos, `${nanos}ns`, add);
        }
        break;
      default: {
        // Scalar rules; for a wrapper type they apply to the wrapped value when it is present.
        const wrapped = field.resolvedType && WRAPPER_RULE[field.resolvedType.fullName];
        if (wrapped) {
          if (kind !== wrapped) add(`rule ${kind} on a ${wrapped} wrapper`);
          else if (present) checkScalarRules({ [kind]: r }, (value as Plain).value, path, field, out);
        } else if (!field.repeated && !field.map) {
          checkScalarRules({ [kind]: r }, value, path, field, out);
        }
      }
    }
  }
}

function checkRepeated(
  field: protobuf.Field,
  r: Rules,
  items: unknown[],
  path: string,
  out: PgvViolation[],
): void {
  const add = (message: string) => out.push({ path, message });
  checkKnown(r, ['min_items', 'max_items', 'unique', 'items', 'ignore_empty'], 'repeated', add);
  if (r.ignore_empty === true && items.length === 0) return;
  if (r.min_items !== undefined && items.length < Number(r.min_items))
    add(`needs at least ${r.min_items} items, has ${items.length}`);
  if (r.max_items !== undefined && items.length > Number(r.max_items))
    add(`takes at most ${r.max_items} items, has ${items.length}`);
  if (r.unique === true && new Set(items.map((x) => JSON.stringify(x))).size !== items.length)
    add('items must be unique');
  const itemRules = r.items as Rules | undefined;
  if (!itemRules) return;
  items.forEach((item, i) => {
    const here = `${path}[${i}]`;
    const message = itemRules.message as Rules | undefined;
    if (message) {
      checkKnown(message, ['required', 'skip'], 'items.message', (m) => out.push({ path: here, message: m }));
      return; // items are messages: checked by recursion
    }
    checkScalarRules(itemRules, item, here, field, out);
  });
}

/** Rules on a scalar (or enum) value. */
function checkScalarRules(
  rules: Rules,
  value: unknown,
  path: string,
  field: protobuf.Field,
  out: PgvViolation[],
): void {
  const add = (message: string) => out.push({ path, message });
  for (const [kind, spec] of Object.entries(rules)) {
    const r = (spec ?? {}) as Rules;
    switch (kind) {
      case 'string':
        checkString(r, String(value ?? ''), add);
        break;
      case 'bytes': {
        checkKnown(
          r,
          [
            'const',
            'len',
            'min_len',
            'max_len',
            'pattern',
            'prefix',
            'suffix',
            'contains',
            'in',
            'not_in',
            'ip',
            'ipv4',
            'ipv6',
          ],
          kind,
          add,
        );
        const b = (value as Uint8Array | undefined) ?? new Uint8Array();
        if (r.min_len !== undefined && b.length < Number(r.min_len)) add(`needs at least ${r.min_len} bytes`);
        if (r.max_len !== undefined && b.length > Number(r.max_len)) add(`takes at most ${r.max_len} bytes`);
        if (r.len !== undefined && b.length !== Number(r.len)) add(`must be ${r.len} bytes`);
        break;
      }
      case 'bool':
        checkKnown(r, ['const'], kind, add);
        if (r.const !== undefined && Boolean(value) !== r.const) add(`must be ${r.const}`);
        break;
      case 'enum': {
        checkKnown(r, ['defined_only', 'const', 'in', 'not_in'], kind, add);
        const n = Number(value ?? 0);
        const e = field.resolvedType;
        if (r.defined_only === true && e instanceof protobuf.Enum && !Object.values(e.values).includes(n)) {
          add(`${n} is not a value of ${e.name}`);
        }
        if (r.const !== undefined && n !== Number(r.const)) add(`must be ${r.const}`);
        if (Array.isArray(r.in) && !r.in.map(Number).includes(n))
          add(`${n} is not one of ${r.in.join(', ')}`);
        if (Array.isArray(r.not_in) && r.not_in.map(Number).includes(n)) add(`${n} is not allowed`);
        break;
      }
      case 'double':
      case 'float':
      case 'int32':
      case 'int64':
      case 'uint32':
      case 'uint64':
      case 'sint32':
      case 'sint64':
      case 'fixed32':
      case 'fixed64':
      case 'sfixed32':
      case 'sfixed64': {
        checkKnown(r, ['const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'ignore_empty'], kind, add);
        const n = Number(String(value ?? 0));
        if (r.ignore_empty === true && n === 0) break;
        checkRange(r, n, (x) => Number(x), String(n), add);
        break;
      }
      default:
        add(`unsupported rule kind ${kind}`);
    }
  }
}

function checkRange<T extends number | bigint>(
  r: Rules,
  v: T,
  to: (x: unknown) => T,
  shown: string,
  add: (message: string) => void,
): void {
  if (r.const !== undefined && v !== to(r.const)) add(`${shown} must equal ${JSON.stringify(r.const)}`);
  const lower =
    r.gt !== undefined
      ? { bound: to(r.gt), ok: (x: T) => x > to(r.gt) }
      : r.gte !== undefined
        ? { bound: to(r.gte), ok: (x: T) => x >= to(r.gte) }
        : undefined;
  const upper =
    r.lt !== undefined
      ? { bound: to(r.lt), ok: (x: T) => x < to(r.lt) }
      : r.lte !== undefined
        ? { bound: to(r.lte), ok: (x: T) => x <= to(r.lte) }
        : undefined;
  const inRange = (lower ? lower.ok(v) : true) && (upper ? upper.ok(v) : true);
  // PGV: when the upper bound is below the lower one, the range is exclusive (outside it).
  const exclusive = lower && upper && upper.bound < lower.bound;
  const ok = exclusive ? lower.ok(v) || upper.ok(v) : inRange;
  if (!ok) add(`${shown} is out of range ${JSON.stringify({ gt: r.gt, gte: r.gte, lt: r.lt, lte: r.lte })}`);
  if (Array.isArray(r.in) && !r.in.map(to).includes(v)) add(`${shown} is not one of ${r.in.join(', ')}`);
  if (Array.isArray(r.not_in) && r.not_in.map(to).includes(v)) add(`${shown} is not allowed`);
}

// PGV's well-known regexes for HTTP headers, strict (RFC 7230) and not (only NUL, CR, LF refused).
const HEADER_NAME = /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is about control characters
const HEADER_VALUE = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is about control characters
const LOOSE_HEADER = /^[^\u0000\u000A\u000D]*$/;

function checkString(r: Rules, s: string, add: (message: string) => void): void {
  checkKnown(
    r,
    [
      'const',
      'len',
      'min_len',
      'max_len',
      'len_bytes',
      'min_bytes',
      'max_bytes',
      'pattern',
      'prefix',
      'suffix',
      'contains',
      'not_contains',
      'in',
      'not_in',
      'well_known_regex',
      'strict',
      'ignore_empty',
      'hostname',
      'uri',
      'address',
      'ip',
      'ipv4',
      'ipv6',
    ],
    'string',
    add,
  );
  if (r.ignore_empty === true && s === '') return;
  const runes = [...s].length;
  const bytes = Buffer.byteLength(s);
  if (r.const !== undefined && s !== r.const) add(`must be "${r.const}"`);
  if (r.len !== undefined && runes !== Number(r.len)) add(`must be ${r.len} characters`);
  if (r.min_len !== undefined && runes < Number(r.min_len)) add(`needs at least ${r.min_len} characters`);
  if (r.max_len !== undefined && runes > Number(r.max_len)) add(`takes at most ${r.max_len} characters`);
  if (r.len_bytes !== undefined && bytes !== Number(r.len_bytes)) add(`must be ${r.len_bytes} bytes`);
  if (r.min_bytes !== undefined && bytes < Number(r.min_bytes)) add(`needs at least ${r.min_bytes} bytes`);
  if (r.max_bytes !== undefined && bytes > Number(r.max_bytes)) add(`takes at most ${r.max_bytes} bytes`);
  if (typeof r.pattern === 'string' && !new RegExp(r.pattern, 'u').test(s))
    add(`does not match ${r.pattern}`);
  if (typeof r.prefix === 'string' && !s.startsWith(r.prefix)) add(`must start with "${r.prefix}"`);
  if (typeof r.suffix === 'string' && !s.endsWith(r.suffix)) add(`must end with "${r.suffix}"`);
  if (typeof r.contains === 'string' && !s.includes(r.contains)) add(`must contain "${r.contains}"`);
  if (typeof r.not_contains === 'string' && s.includes(r.not_contains))
    add(`must not contain "${r.not_contains}"`);
  if (Array.isArray(r.in) && !r.in.includes(s)) add(`"${s}" is not one of ${r.in.join(', ')}`);
  if (Array.isArray(r.not_in) && r.not_in.includes(s)) add(`"${s}" is not allowed`);
  if (r.well_known_regex !== undefined) {
    const strict = r.strict !== false;
    const re = !strict
      ? LOOSE_HEADER
      : r.well_known_regex === 'HTTP_HEADER_NAME'
        ? HEADER_NAME
        : HEADER_VALUE;
    // A header name rule allows the empty string only through min_len, as PGV checks it.
    if (s !== '' && !re.test(s)) add(`is not a valid ${r.well_known_regex}`);
  }
  if (
    r.hostname === true &&
    !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(s)
  ) {
    add('is not a host name');
  }
  if (r.uri === true && !/^[a-z][a-z0-9+.-]*:/i.test(s)) add('is not an absolute URI');
  if ((r.ip === true || r.ipv4 === true || r.ipv6 === true || r.address === true) && s !== '') {
    const family = isIP(s);
    if (r.ipv4 === true && family !== 4) add('is not an IPv4 address');
    if (r.ipv6 === true && family !== 6) add('is not an IPv6 address');
    if (r.ip === true && family === 0) add('is not an IP address');
  }
}

function checkKnown(r: Rules, known: readonly string[], kind: string, add: (message: string) => void): void {
  for (const key of Object.keys(r)) if (!known.includes(key)) add(`unsupported ${kind} rule ${key}`);
}
