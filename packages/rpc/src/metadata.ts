// gRPC metadata: ASCII values, and binary values under `-bin` keys carried base64 (gRPC: PROTOCOL-HTTP2).
// Keys are lower-case. Reserved transport headers never pass through as user metadata.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** A metadata value: text, or bytes for `-bin` keys. */
export type MetadataValue = string | Uint8Array;

/** Headers that belong to the transport, not to the application. */
const reservedHeaders = new Set([
  'content-type',
  'content-length',
  'te',
  'user-agent',
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'grpc-status',
  'grpc-message',
  'grpc-status-details-bin',
  'grpc-timeout',
  'grpc-encoding',
  'grpc-accept-encoding',
  'accept-encoding',
  'content-encoding',
  'tri-service-timeout',
  'triple-timeout-ms',
]);

/** Whether a header belongs to the call's protocol (HTTP/2, gRPC, Triple): metadata edits leave it alone. */
export function isReservedHeader(key: string): boolean {
  return key.startsWith(':') || reservedHeaders.has(key);
}

const validKey = /^[0-9a-z_.-]+$/;
/** What no HTTP header value can hold (RFC 9113 §8.2.1): caught when set, not when sent. */
const invalidText = /[\0\r\n\u0100-\uffff]/;

/** Metadata.peek's answer when only the map can say. */
const NOT_UNREAD: unique symbol = Symbol('not unread');

/** gRPC metadata: headers or trailers, with `-bin` keys carried as bytes. */
export class Metadata {
  private store: Map<string, MetadataValue[]> | undefined;
  /** HTTP headers not read yet: most calls never look at their response headers or trailers. */
  private unread: IncomingHttpHeaders | undefined;
  /** `unread` is one ConstantMetadata's headers, checked already, and nothing else was added. */
  private constantOnly = false;

  constructor(init?: Record<string, MetadataValue | MetadataValue[]> | Metadata) {
    if (init instanceof Metadata) {
      for (const [k, v] of init.map) this.map.set(k, [...v]);
    } else if (init) {
      for (const [k, v] of Object.entries(init)) {
        for (const item of Array.isArray(v) ? v : [v]) this.append(k, item);
      }
    }
  }

  /**
   * User metadata out of HTTP headers, `-bin` values decoded and reserved headers dropped; into a
   * new Metadata, or appended to `into`. The headers are read when the metadata first is.
   */
  static fromHttpHeaders(headers: IncomingHttpHeaders, into?: Metadata): Metadata {
    const target = into ?? new Metadata();
    if (target.store === undefined && target.unread === undefined) target.unread = headers;
    else readHttpHeaders(headers, target);
    return target;
  }

  private get map(): Map<string, MetadataValue[]> {
    this.store ??= new Map();
    const unread = this.unread;
    if (unread !== undefined) {
      this.unread = undefined;
      readHttpHeaders(unread, this);
    }
    return this.store;
  }

  get size(): number {
    return this.map.size;
  }

  /** @internal Nothing to write: known without building the map. */
  get isEmpty(): boolean {
    return this.unread === undefined && (this.store === undefined || this.store.size === 0);
  }

  get(key: string): MetadataValue | undefined {
    const k = key.toLowerCase();
    const raw = this.peek(k);
    if (raw !== NOT_UNREAD) return typeof raw === 'string' ? raw : raw?.[0];
    return this.map.get(k)?.[0];
  }

  getString(key: string): string | undefined {
    const value = this.get(key);
    return typeof value === 'string' ? value : undefined;
  }

  getAll(key: string): MetadataValue[] {
    const k = key.toLowerCase();
    const raw = this.peek(k);
    if (raw !== NOT_UNREAD) return raw === undefined ? [] : typeof raw === 'string' ? [raw] : [...raw];
    return this.map.get(k) ?? [];
  }

  has(key: string): boolean {
    const k = key.toLowerCase();
    const raw = this.peek(k);
    return raw !== NOT_UNREAD ? raw !== undefined : this.map.has(k);
  }

  /**
   * A text header looked up in headers not read yet, without reading them all (stats plug-ins
   * and route matchers read a header or two per call); NOT_UNREAD when the map must answer.
   */
  private peek(k: string): string | string[] | undefined | typeof NOT_UNREAD {
    const unread = this.unread;
    if (unread === undefined || this.store !== undefined || k.endsWith('-bin')) return NOT_UNREAD;
    return isReservedHeader(k) ? undefined : unread[k];
  }

  set(key: string, value: MetadataValue): this {
    const k = checkKey(key, value);
    this.map.set(k, [value]);
    return this;
  }

  append(key: string, value: MetadataValue): this {
    this.appendUnchecked(checkKey(key, value), value);
    return this;
  }

  delete(key: string): void {
    this.map.delete(key.toLowerCase());
  }

  /**
   * Adds constant metadata (`set` semantics: its keys replace what is there). Into metadata that
   * holds nothing yet, it goes by reference, read like received headers when first read: a call
   * that only sends it builds no map.
   */
  addConstant(constant: ConstantMetadata): this {
    if (this.store === undefined && this.unread === undefined) {
      this.unread = constant.headers;
      this.constantOnly = true;
    } else for (const key in constant.headers) this.map.set(key, [constant.headers[key]!]);
    return this;
  }

  merge(other: Metadata | undefined): this {
    if (other) for (const [k, values] of other.map) for (const v of values) this.appendUnchecked(k, v);
    return this;
  }

  entries(): IterableIterator<[string, MetadataValue[]]> {
    return this.map.entries();
  }

  /**
   * @internal When this metadata is one ConstantMetadata and nothing else, its headers, to send
   * as they are: no copy, no checks (a call that only sends Istio's metadata exchange).
   */
  get constantHeaders(): Readonly<Record<string, string>> | undefined {
    return this.constantOnly && this.store === undefined
      ? (this.unread as Record<string, string>)
      : undefined;
  }

  /** Writes this metadata into outgoing HTTP/2 headers, base64-encoding `-bin` values. */
  writeTo(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
    if (this.store === undefined) {
      const unread = this.unread;
      if (unread === undefined || writeTextAsIs(unread, headers)) return headers;
    }
    for (const [key, values] of this.map) {
      if (isReservedHeader(key)) continue;
      const first = values[0];
      if (values.length === 1 && typeof first === 'string') {
        headers[key] = first; // the usual case: one text value, no array for it
        continue;
      }
      const encoded = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('base64')));
      headers[key] = encoded.length === 1 ? encoded[0] : encoded;
    }
    return headers;
  }

  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    this.writeTo(out as OutgoingHttpHeaders);
    return out;
  }

  /** @internal */
  appendUnchecked(key: string, value: MetadataValue): void {
    const list = this.map.get(key);
    if (list) list.push(value);
    else this.map.set(key, [value]);
  }
}

/**
 * Text metadata every call of a client sends unchanged (Istio's metadata exchange, a fixed
 * caller id): its keys are checked once here instead of on every call's `set`.
 */
export class ConstantMetadata {
  /** @internal In HTTP header form, as Metadata keeps headers it has not read. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(entries: Record<string, string>) {
    // An ordinary object of own data properties (fromEntries: `__proto__` is just a key), not one
    // without a prototype: those are dictionaries, several times slower to walk per call. Frozen,
    // so HTTP/2 may send the same encoding again while its HPACK table is unchanged.
    this.headers = Object.freeze(
      Object.fromEntries(
        Object.entries(entries).map(([key, value]) => {
          const k = checkKey(key, value);
          if (isReservedHeader(k)) throw new TypeError(`metadata key "${key}" is a reserved header`);
          return [k, value];
        }),
      ),
    );
  }
}

/**
 * Writes headers not read yet straight out when each is one text value (constant metadata, or
 * received headers passed on); false at the first that needs decoding, to write them all the
 * long way (rewriting the same keys is harmless).
 */
function writeTextAsIs(unread: IncomingHttpHeaders, headers: OutgoingHttpHeaders): boolean {
  for (const key in unread) {
    const raw = unread[key];
    if (raw === undefined || isReservedHeader(key)) continue;
    if (typeof raw !== 'string' || key.endsWith('-bin')) return false;
    headers[key] = raw;
  }
  return true;
}

function readHttpHeaders(headers: IncomingHttpHeaders, into: Metadata): void {
  // for-in, not Object.entries: node's header objects have no prototype and are in dictionary
  // mode, where Object.entries costs several times more.
  for (const key in headers) {
    const raw = headers[key];
    if (raw === undefined || isReservedHeader(key)) continue;
    const binary = key.endsWith('-bin');
    if (typeof raw === 'string' && !binary) {
      into.appendUnchecked(key, raw); // the usual case: one text value, no array for it
      continue;
    }
    const values = Array.isArray(raw) ? raw : raw.split(',');
    for (const value of values) into.appendUnchecked(key, binary ? decodeBinaryHeader(value) : value);
  }
}

function checkKey(key: string, value: MetadataValue): string {
  const k = key.toLowerCase();
  if (!validKey.test(k)) throw new TypeError(`metadata key "${key}" must match [0-9a-z_.-]+`);
  if (k.endsWith('-bin') !== (typeof value !== 'string')) {
    throw new TypeError(`metadata key "${key}": binary values go under keys ending in -bin, and only there`);
  }
  if (typeof value === 'string' && invalidText.test(value)) {
    throw new TypeError(`metadata "${key}": a text value may not hold NUL, CR, LF or characters over U+00FF`);
  }
  return k;
}

/** Decodes base64 with or without padding, as gRPC requires of `-bin` headers. */
export function decodeBinaryHeader(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value.trim(), 'base64'));
}
