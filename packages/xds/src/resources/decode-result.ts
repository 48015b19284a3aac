// The outcome of decoding one xDS resource, and the error collector every decoder shares.
// A decoder never throws on bad input: it records every problem with its field path
// (`virtual_hosts[0].routes[2].match`) so a NACK says exactly what is wrong (DESIGN.md).
import { type DescMessage, fromBinary, type MessageShape } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';

/** A decoded, validated resource, or every error found in it. `name` is set whenever it could be read. */
export type DecodeResult<T> =
  | { readonly ok: true; readonly name: string; readonly value: T }
  | { readonly ok: false; readonly name?: string; readonly errors: readonly string[] };

/** Collects errors, each prefixed with the field path where it was found. Internal. */
export class Problems {
  readonly errors: string[] = [];

  add(path: string, message: string): void {
    this.errors.push(path ? `${path}: ${message}` : message);
  }

  get empty(): boolean {
    return this.errors.length === 0;
  }
}

/** `a.b` path join (internal). */
export function at(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

/** `a[3]` path join (internal). */
export function index(path: string, i: number | string): string {
  return `${path}[${i}]`;
}

/**
 * Parses `bytes` as `schema`, recording a parse failure instead of throwing (internal).
 * `what` names the field or resource for the error.
 */
export function parse<Desc extends DescMessage>(
  schema: Desc,
  bytes: Uint8Array,
  path: string,
  problems: Problems,
): MessageShape<Desc> | undefined {
  try {
    return fromBinary(schema, bytes);
  } catch (e) {
    problems.add(path, `cannot parse ${schema.typeName}: ${(e as Error).message}`);
    return undefined;
  }
}

/** Unpacks an Any whose type must be `schema` (internal). */
export function unpack<Desc extends DescMessage>(
  any: Any,
  schema: Desc,
  path: string,
  problems: Problems,
): MessageShape<Desc> | undefined {
  const expected = `type.googleapis.com/${schema.typeName}`;
  if (any.typeUrl !== expected && any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1) !== schema.typeName) {
    problems.add(path, `expected ${expected}, got ${any.typeUrl || 'an empty type_url'}`);
    return undefined;
  }
  return parse(schema, any.value, path, problems);
}

/** Turns a resource given as an Any or as bytes into its message, or a failed result (internal). */
export function resourceMessage<Desc extends DescMessage>(
  resource: Any | Uint8Array,
  schema: Desc,
): { message: MessageShape<Desc> } | { failure: DecodeResult<never> } {
  const problems = new Problems();
  const message =
    resource instanceof Uint8Array
      ? parse(schema, resource, '', problems)
      : unpack(resource, schema, '', problems);
  return message ? { message } : { failure: { ok: false, errors: problems.errors } };
}

/** Finishes a decode: ok with the value when no error was recorded (internal). */
export function finish<T>(name: string, value: T, problems: Problems): DecodeResult<T> {
  return problems.empty ? { ok: true, name, value } : { ok: false, name, errors: problems.errors };
}
