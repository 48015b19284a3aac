// What RFC 9113 §8.2 allows in a field name and value, checked on what we send (a clear error
// to the caller) and on literals we receive (a malformed message, §8.1.1). Names are lower
// case tokens; pseudo-header names start with ':'; values hold no NUL, CR or LF and neither
// start nor end with SP or HTAB; connection-specific fields are not allowed (§8.2.2).

/** Fields that belong to HTTP/1.1 connections and are malformed in HTTP/2 (§8.2.2). */
export const CONNECTION_SPECIFIC = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
]);

/** tchar (RFC 9110 §5.6.2) without upper case: 1 where allowed in a field name. */
const NAME_CHARS = (() => {
  const table = new Uint8Array(256);
  for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") table[c.charCodeAt(0)] = 1;
  return table;
})();

/** True when `name` is a valid regular field name: non-empty, lower case tchar only. */
export function isValidName(name: string): boolean {
  const n = name.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c > 255 || NAME_CHARS[c] === 0) return false;
  }
  return true;
}

/** True when `value` has no NUL, CR, LF or char over 0xff, and no leading or trailing SP/HTAB. */
export function isValidValue(value: string): boolean {
  const n = value.length;
  if (n === 0) return true;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(n - 1);
  if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d || c > 0xff) return false;
  }
  return true;
}

/** The name to send for `name`: lower-cased if needed; throws TypeError if it cannot be sent. */
export function outgoingName(name: string): string {
  if (name.charCodeAt(0) === 0x3a) {
    if (!isValidName(name.slice(1))) throw new TypeError(`invalid pseudo-header name "${name}"`);
    return name;
  }
  if (isValidName(name)) return checkConnectionSpecific(name);
  const lower = name.toLowerCase();
  if (!isValidName(lower)) throw new TypeError(`invalid header name "${name}" (RFC 9113 §8.2.1)`);
  return checkConnectionSpecific(lower);
}

function checkConnectionSpecific(name: string): string {
  if (CONNECTION_SPECIFIC.has(name)) {
    throw new TypeError(
      `header "${name}" is connection-specific and not allowed in HTTP/2 (RFC 9113 §8.2.2)`,
    );
  }
  return name;
}

/** Throws TypeError if `value` cannot be sent as the value of `name`. */
export function checkOutgoingValue(name: string, value: string): void {
  if (!isValidValue(value)) {
    throw new TypeError(
      `invalid value for header "${name}": NUL, CR, LF, chars over 0xff, or leading/trailing whitespace (RFC 9113 §8.2.1)`,
    );
  }
  if (name === 'te' && value !== 'trailers') {
    throw new TypeError(`header "te" may only be "trailers" in HTTP/2 (RFC 9113 §8.2.2), got "${value}"`);
  }
}
