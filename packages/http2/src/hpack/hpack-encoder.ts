// The HPACK encoder, RFC 7541 §6. A field matching the static table is indexed (§6.1); a
// per-call field whose value repeats on the connection is inserted into the dynamic table once
// (§6.2.1) and indexed from then on (encoder-table.ts); anything else is a literal without
// indexing (§6.2.2), never indexed (§6.2.3) for credentials. A block built once (HeaderBlock)
// never uses the dynamic table, so it depends on no connection's state and is sent as is on any
// connection. Huffman coding (§5.2) is used where shorter in blocks built once; per-call fields
// go out raw (cheaper to write than to code). When the peer lowers SETTINGS_HEADER_TABLE_SIZE,
// the next block starts with a size update (§4.2, RFC 9113 §4.3.1).

import { checkOutgoingValue, outgoingName } from '../field-rules.js';
import { WriteBuffer } from '../write-buffer.js';
import { EncoderTable } from './encoder-table.js';
import { huffmanEncode, huffmanLength } from './huffman.js';
import { staticLookup } from './static-table.js';

export type HeaderValue = string | number | readonly string[];
/** Headers to send: lower-case names (others are lower-cased), pseudo-headers in any order. */
export type OutgoingHeaders = Record<string, HeaderValue | undefined>;

/** Fields whose values stay out of every table on the way (§7.1.3). */
const SENSITIVE = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * A header block encoded once and sent as is on any connection: the fixed part of every request
 * of a method, or of every response. Build it with encodeHeaderBlock().
 */
export class HeaderBlock {
  /** @internal */
  constructor(
    /** The encoded fields. */
    readonly bytes: Buffer,
    /** The fields it holds. */
    readonly headers: Readonly<OutgoingHeaders>,
    /** Whether it holds pseudo-headers (they must come first in a block). */
    readonly hasPseudo: boolean,
  ) {}
}

/** Encodes `headers` once (validated, pseudo-headers first, Huffman-coded where shorter). */
export function encodeHeaderBlock(headers: OutgoingHeaders): HeaderBlock {
  const out = new WriteBuffer();
  const copy: OutgoingHeaders = {};
  const hasPseudo = writeFields(out, headers, true, copy);
  return new HeaderBlock(Buffer.from(out.takeAll()), Object.freeze(copy), hasPseudo);
}

/** The encoder of one connection's outgoing blocks. */
export class HpackEncoder {
  /** The dynamic table size our blocks keep to (RFC 7541's default, or less if the peer asks). */
  private tableSize = 4096;
  private pendingSizeUpdate = -1;
  /** The next block first empties the peer's table (a size update to 0) and then restores its size. */
  private clearPending = false;
  private table = new EncoderTable(this.tableSize);
  /**
   * Constant fields (a frozen object, such as Istio's metadata exchange headers) last written,
   * with their bytes when they all went out as indexes: sent again as they are while the table is
   * unchanged. Without bytes (a field not in the table), written the usual way until it changes.
   */
  private repeat: { headers: OutgoingHeaders; bytes: Buffer | undefined; changes: number } | undefined;

  /** The peer's SETTINGS_HEADER_TABLE_SIZE arrived. */
  peerTableSize(size: number): void {
    if (size < this.tableSize) {
      this.tableSize = size;
      this.pendingSizeUpdate = size;
      this.table.resize(size);
    }
  }

  /**
   * Bytes the block of `block` and `headers` takes at most. A field in the peer's table counts as
   * the index it will be: counted as a literal, a long repeated value (Istio's metadata exchange)
   * made every block reserve hundreds of bytes it never used, and the connection's write buffer
   * start a new segment, one more chunk per socket write, every few calls.
   */
  bound(block: HeaderBlock | undefined, headers: OutgoingHeaders | undefined): number {
    let n = 6 + (block ? block.bytes.length : 0);
    const repeated = this.repeated(headers);
    if (repeated?.bytes !== undefined) return n + repeated.bytes.length;
    if (headers) {
      for (const name in headers) {
        const value = headers[name];
        if (value === undefined) continue;
        if (typeof value === 'string')
          n += this.table.indexOf(name, value) > 0 ? 5 : name.length + value.length + 11;
        else if (typeof value === 'number') n += name.length + 32;
        else for (const v of value) n += name.length + v.length + 11;
      }
    }
    return n;
  }

  /**
   * A block that failed halfway is not sent, but fields written before the failure may have
   * gone into our table: empty ours now and the peer's with the next block (RFC 7541 §4.2, a size
   * update to 0 and back), so both tables agree again.
   */
  forget(): void {
    this.table = new EncoderTable(this.tableSize);
    this.repeat = undefined;
    this.clearPending = true;
    this.pendingSizeUpdate = this.tableSize;
  }

  /** Writes one header block: the size update if one is due, `block`, then `headers`. */
  encode(out: WriteBuffer, block: HeaderBlock | undefined, headers: OutgoingHeaders | undefined): void {
    if (this.clearPending) {
      writeInteger(out, 0, 5, 0x20);
      this.clearPending = false;
    }
    if (this.pendingSizeUpdate >= 0) {
      writeInteger(out, this.pendingSizeUpdate, 5, 0x20);
      this.pendingSizeUpdate = -1;
    }
    if (block) out.copy(block.bytes);
    if (!headers) return;
    const repeated = this.repeated(headers);
    if (repeated?.bytes !== undefined) out.copy(repeated.bytes);
    else if (!block?.hasPseudo) writeFields(out, headers, false, undefined, this.table);
    else if (repeated === undefined && Object.isFrozen(headers)) this.writeConstant(out, headers);
    else writeCallFields(out, headers, this.table);
  }

  /** What is kept of `headers` if they are the constant fields last written and still valid. */
  private repeated(headers: OutgoingHeaders | undefined): HpackEncoder['repeat'] {
    const repeat = this.repeat;
    return repeat !== undefined && repeat.headers === headers && repeat.changes === this.table.changes
      ? repeat
      : undefined;
  }

  /**
   * Writes a frozen object of fields after a block's pseudo-headers, and keeps its bytes when every
   * field went out as an index: they stay right until the table changes.
   */
  private writeConstant(out: WriteBuffer, headers: OutgoingHeaders): void {
    const before = this.table.changes;
    const scratch = new WriteBuffer();
    const indexed = writeCallFields(scratch, headers, this.table);
    const bytes = scratch.takeAll();
    out.copy(bytes);
    const changes = this.table.changes;
    // Not all indexes and nothing inserted: the usual way next time, until the table changes.
    if (indexed || changes === before) this.repeat = { headers, bytes: indexed ? bytes : undefined, changes };
    else this.repeat = undefined;
  }
}

/**
 * Writes every field of `headers`, pseudo-headers first. Returns whether there were any. With
 * `copy`, records the validated fields there.
 */
function writeFields(
  out: WriteBuffer,
  headers: OutgoingHeaders,
  huffman: boolean,
  copy: OutgoingHeaders | undefined,
  table?: EncoderTable,
): boolean {
  let pseudo = false;
  let regular = false;
  for (const name in headers) {
    if (name.charCodeAt(0) !== 0x3a) {
      regular = true;
      continue;
    }
    pseudo = true;
    writeNamed(out, name, headers[name], huffman, copy);
  }
  if (regular) {
    for (const name in headers) {
      if (name.charCodeAt(0) !== 0x3a) writeNamed(out, name, headers[name], huffman, copy, table);
    }
  }
  return pseudo;
}

/**
 * A call's own fields after a block built once (its pseudo-headers): one pass, none may be a
 * pseudo-header. Returns whether every field went out as an index.
 */
function writeCallFields(out: WriteBuffer, headers: OutgoingHeaders, table: EncoderTable): boolean {
  let indexed = true;
  for (const name in headers) {
    if (name.charCodeAt(0) === 0x3a)
      throw new TypeError(`pseudo-header "${name}" after a block of regular fields`);
    if (!writeNamed(out, name, headers[name], false, undefined, table)) indexed = false;
  }
  return indexed;
}

function writeNamed(
  out: WriteBuffer,
  rawName: string,
  value: HeaderValue | undefined,
  huffman: boolean,
  copy: OutgoingHeaders | undefined,
  table?: EncoderTable,
): boolean {
  if (value === undefined) return true;
  if (table !== undefined && typeof value === 'string') {
    // In the peer's table: checked when it went in (under its lower-case name), one index byte.
    const dynamic = table.indexOf(rawName, value);
    if (dynamic > 0) {
      writeInteger(out, dynamic, 7, 0x80); // §6.1
      return true;
    }
  }
  const name = outgoingName(rawName);
  let indexed = true;
  if (typeof value === 'string') indexed = writeField(out, name, value, huffman, table);
  else if (typeof value === 'number') indexed = writeField(out, name, String(value), huffman);
  else for (const v of value) indexed = writeField(out, name, v, huffman) && indexed;
  if (copy) copy[name] = typeof value === 'object' ? [...value] : value;
  return indexed;
}

function writeField(
  out: WriteBuffer,
  name: string,
  value: string,
  huffman: boolean,
  table?: EncoderTable,
): boolean {
  checkOutgoingValue(name, value);
  const { byName, byField } = staticLookup();
  const nameIndex = byName.get(name);
  if (nameIndex !== undefined) {
    const full = byField.get(`${name}\0${value}`);
    if (full !== undefined) {
      writeInteger(out, full, 7, 0x80); // §6.1
      return true;
    }
  }
  if (table !== undefined && !SENSITIVE.has(name) && table.shouldInsert(name, value)) {
    table.add(name, value); // §6.2.1 with incremental indexing
    if (nameIndex !== undefined) writeInteger(out, nameIndex, 6, 0x40);
    else {
      out.u8(0x40);
      writeString(out, name, huffman);
    }
    writeString(out, value, huffman);
    return false;
  }
  const flags = SENSITIVE.has(name) ? 0x10 : 0x00; // §6.2.3 never indexed, §6.2.2 without indexing
  if (nameIndex !== undefined) writeInteger(out, nameIndex, 4, flags);
  else {
    out.u8(flags);
    writeString(out, name, huffman);
  }
  writeString(out, value, huffman);
  return false;
}

/** §5.1: `value` with an N-bit prefix, the first byte's high bits set to `flags`. */
export function writeInteger(out: WriteBuffer, value: number, prefixBits: number, flags: number): void {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out.u8(flags | value);
    return;
  }
  out.u8(flags | max);
  let rest = value - max;
  while (rest >= 128) {
    out.u8((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.u8(rest);
}

/** §5.2: a string literal, Huffman-coded when asked and shorter. */
function writeString(out: WriteBuffer, text: string, huffman: boolean): void {
  if (huffman) {
    const coded = huffmanLength(text);
    if (coded < text.length) {
      writeInteger(out, coded, 7, 0x80);
      const buf = out.ensure(coded);
      out.pos = huffmanEncode(text, buf, out.pos);
      out.length += coded;
      return;
    }
  }
  writeInteger(out, text.length, 7, 0);
  out.latin1(text);
}
