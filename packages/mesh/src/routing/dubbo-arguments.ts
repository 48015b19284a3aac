// Dubbo's `arguments[N]` conditions, which xDS cannot express: the control plane writes them as
// header matchers on `:dubbo-argument-N` (the contract: @shoal/xds dubbo-arguments.ts) and the
// mesh answers those from the request message, field number N + 1, before matching routes. gRPC's
// clients find no such header and skip the route, as if the argument did not match.
// Dubbo: ArgumentConditionMatcher (String.valueOf of the argument).

import type { DescField, DescMessage } from '@bufbuild/protobuf';
import { parseDubboArgumentHeader } from '@shoal/xds/plugins';
import type { HeaderLookup } from './header-match.js';

/** Whether any route of a table reads an argument (only then are messages looked at). */
export function readsDubboArguments(headerNames: Iterable<string>): boolean {
  for (const name of headerNames) if (parseDubboArgumentHeader(name) !== undefined) return true;
  return false;
}

/** A field's value as Dubbo writes an argument, or undefined when it has none. */
function argumentText(field: DescField, message: Record<string, unknown>): string | undefined {
  if (field.fieldKind !== 'scalar' && field.fieldKind !== 'enum') return undefined;
  let value: unknown;
  if (field.oneof) {
    const chosen = message[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
    if (chosen?.case !== field.localName) return undefined;
    value = chosen.value;
  } else value = message[field.localName];
  if (value === undefined || value === null || value instanceof Uint8Array) return undefined;
  if (field.fieldKind === 'enum')
    return field.enum.values.find((v) => v.number === value)?.name ?? String(value);
  return String(value);
}

/**
 * The request headers, with `:dubbo-argument-N` answered from the message of a unary call (a real
 * header of that name cannot exist in HTTP/2; any is ignored).
 */
export function withDubboArguments(
  headers: HeaderLookup,
  input: DescMessage,
  message: unknown,
): HeaderLookup {
  return {
    getAll(key: string) {
      const index = parseDubboArgumentHeader(key);
      if (index === undefined) return headers.getAll(key);
      const field = input.fields.find((f) => f.number === index + 1);
      if (!field || typeof message !== 'object' || message === null) return [];
      const text = argumentText(field, message as Record<string, unknown>);
      return text === undefined ? [] : [text];
    },
  };
}
