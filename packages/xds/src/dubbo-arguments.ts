// The contract between Shoal's control plane and its mesh for Dubbo's `arguments[N]` conditions,
// which xDS has no matcher for. A route matches an argument with an ordinary header matcher on the
// pseudo-header `:dubbo-argument-N`: no HTTP/2 request can carry a header of that name, so every
// xDS client that does not know the convention (gRPC's, Envoy) finds it absent and skips the
// route, as if the argument did not match. Shoal's mesh answers the matcher with the request
// message's field number N + 1 (Dubbo counts arguments from 0, protobuf numbers fields from 1),
// written as Dubbo writes a value: integers in decimal, booleans `true`/`false`, an enum by its
// value's name, strings as they are; a field that is unset (with explicit presence), a message,
// a list, a map or bytes has no value, and only the first message of a call is read.
// Dubbo: ArgumentConditionMatcher (String.valueOf(invocation.getArguments()[N])).

export const DUBBO_ARGUMENT_HEADER_PREFIX = ':dubbo-argument-';

/** The pseudo-header a route matches Dubbo's `arguments[index]` with. */
export function dubboArgumentHeader(index: number): string {
  return `${DUBBO_ARGUMENT_HEADER_PREFIX}${index}`;
}

/** The argument index of such a header name, or undefined for any other header. */
export function parseDubboArgumentHeader(name: string): number | undefined {
  if (!name.startsWith(DUBBO_ARGUMENT_HEADER_PREFIX)) return undefined;
  const text = name.slice(DUBBO_ARGUMENT_HEADER_PREFIX.length);
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
