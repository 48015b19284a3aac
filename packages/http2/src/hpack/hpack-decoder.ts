// The HPACK decoder, RFC 7541 §6: indexed fields, literals with and without indexing and never
// indexed, dynamic table size updates (only at the start of a block, §4.2, and never above the
// limit we announced, §6.3), integers (§5.1) and strings (§5.2). Every violation is a
// COMPRESSION_ERROR, a connection error (RFC 9113 §4.3).
//
// HPACK bombs: the header-list size (§4.1 measure, RFC 9113 §6.5.2) is counted while decoding;
// once it passes the caller's limit no field is handed out or even built (a literal that is not
// indexed is skipped unread), but the block is still decoded to its end so that the dynamic
// table stays in step with the peer's encoder.

import { connectionError } from '../http2-error.js';
import { ErrorCode } from '../protocol.js';
import { DynamicTable } from './dynamic-table.js';
import { huffmanDecode } from './huffman.js';
import '../latin1.js';
import { STATIC_TABLE, STATIC_TABLE_LENGTH } from './static-table.js';

/** Receives the decoded fields of one header block, in order. */
export interface HeaderSink {
  /** `literal` is true when the field came as a literal, false when taken from a table. */
  field(name: string, value: string, literal: boolean): void;
}

const emptyBytes = Buffer.alloc(0);

/** Largest integer accepted (RFC 7541 §5.1 leaves the limit to the implementation). */
const MAX_INTEGER = 2 ** 31 - 1;

export class HpackDecoder {
  private readonly table: DynamicTable;
  private pos = 0;
  private end = 0;
  private src: Buffer = emptyBytes;

  constructor(
    /** Our SETTINGS_HEADER_TABLE_SIZE: the peer's size updates may not exceed it. */
    private readonly maxTableSize: number,
  ) {
    this.table = new DynamicTable(maxTableSize);
  }

  /** The dynamic table's current size (for tests and memory accounting). */
  get tableSize(): number {
    return this.table.size;
  }

  /**
   * Decodes `src[start, end)`, one complete header block, into `sink`. Returns the header-list
   * size; fields that would take it past `maxListSize` are not handed out.
   */
  decode(src: Buffer, start: number, end: number, maxListSize: number, sink: HeaderSink): number {
    this.src = src;
    this.pos = start;
    this.end = end;
    let listSize = 0;
    let sizeUpdatesAllowed = true;
    try {
      while (this.pos < end) {
        const byte = src[this.pos]!;
        let name: string;
        let value: string;
        let literal = true;
        if (byte & 0x80) {
          // §6.1 indexed field
          const index = this.integer(7);
          if (index === 0) throw compressionError('indexed field with index 0');
          name = this.nameAt(index);
          value =
            index <= STATIC_TABLE_LENGTH
              ? STATIC_TABLE[index - 1]![1]
              : this.table.value(index - STATIC_TABLE_LENGTH);
          literal = false;
        } else if ((byte & 0xe0) === 0x20) {
          // §6.3 dynamic table size update
          if (!sizeUpdatesAllowed) throw compressionError('dynamic table size update after the first field');
          const size = this.integer(5);
          if (size > this.maxTableSize) {
            throw compressionError(
              `dynamic table size update to ${size}, over the ${this.maxTableSize} allowed`,
            );
          }
          this.table.resize(size);
          continue;
        } else {
          // §6.2: with incremental indexing (01), without (0000) or never indexed (0001)
          const indexing = (byte & 0xc0) === 0x40;
          const index = this.integer(indexing ? 6 : 4);
          if (listSize > maxListSize && !indexing) {
            // Over the limit already and not for the table: skip the strings unread.
            const nameSize = index === 0 ? this.skipString() : this.nameAt(index).length;
            listSize += nameSize + this.skipString() + 32;
            sizeUpdatesAllowed = false;
            continue;
          }
          name = index === 0 ? this.string() : this.nameAt(index);
          value = this.string();
          if (indexing) this.table.add(name, value);
        }
        sizeUpdatesAllowed = false;
        // Once over the limit, stay over it: later small fields are not handed out either.
        listSize += name.length + value.length + 32;
        if (listSize <= maxListSize) sink.field(name, value, literal);
      }
    } finally {
      this.src = emptyBytes;
    }
    return listSize;
  }

  private nameAt(index: number): string {
    if (index <= STATIC_TABLE_LENGTH) return STATIC_TABLE[index - 1]![0];
    const name = this.table.name(index - STATIC_TABLE_LENGTH);
    if (name === undefined) {
      throw compressionError(
        `index ${index} is past the end of the tables (61 static, ${this.table.length} dynamic)`,
      );
    }
    return name;
  }

  /** §5.1: an integer with an N-bit prefix, starting at the current byte. */
  private integer(prefixBits: number): number {
    const { src, end } = this;
    const mask = (1 << prefixBits) - 1;
    let value = src[this.pos++]! & mask;
    if (value < mask) return value;
    let shift = 0;
    for (;;) {
      if (this.pos >= end) throw compressionError('integer runs past the end of the block');
      const byte = src[this.pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (value > MAX_INTEGER) throw compressionError('integer larger than 2^31 - 1');
      if ((byte & 0x80) === 0) return value;
    }
  }

  /** §5.2: a string literal, as latin1 text. */
  private string(): string {
    const huffman = this.pos < this.end && (this.src[this.pos]! & 0x80) !== 0;
    const start = this.stringStart();
    if (huffman) return huffmanDecode(this.src, start, this.pos);
    return this.src.latin1Slice(start, this.pos);
  }

  /** Consumes a string literal unread; returns its length on the wire (a lower bound if Huffman-coded). */
  private skipString(): number {
    const start = this.stringStart();
    return this.pos - start;
  }

  /** Reads a string's length prefix, checks it fits, moves past the string; returns where it starts. */
  private stringStart(): number {
    if (this.pos >= this.end) throw compressionError('string literal missing at the end of the block');
    const length = this.integer(7);
    const start = this.pos;
    if (length > this.end - start) {
      throw compressionError(`string of ${length} bytes runs past the end of the block`);
    }
    this.pos = start + length;
    return start;
  }
}

function compressionError(message: string) {
  return connectionError(ErrorCode.COMPRESSION_ERROR, `HPACK: ${message}`);
}
