// HPACK's static table, RFC 7541 Appendix A: 61 fields at indexes 1-61, and the lookups the
// encoder uses to find a field or a name in it.

export const STATIC_TABLE: readonly (readonly [name: string, value: string])[] = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

export const STATIC_TABLE_LENGTH = STATIC_TABLE.length;

export interface StaticLookup {
  /** The lowest index carrying each name. */
  readonly byName: ReadonlyMap<string, number>;
  /** The index of each name and non-empty value pair, keyed `name\0value`. */
  readonly byField: ReadonlyMap<string, number>;
}

let lookup: StaticLookup | undefined;

/** Built on first use (no work at import time), then shared: it never changes. */
export function staticLookup(): StaticLookup {
  if (lookup) return lookup;
  const byName = new Map<string, number>();
  const byField = new Map<string, number>();
  STATIC_TABLE.forEach(([name, value], i) => {
    if (!byName.has(name)) byName.set(name, i + 1);
    if (value !== '') byField.set(`${name}\0${value}`, i + 1);
  });
  lookup = { byName, byField };
  return lookup;
}
