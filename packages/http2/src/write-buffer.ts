// What a connection has to send, gathered between flushes: frames are written into one buffer
// (a slice of Node's shared pool, dropped at each flush so an idle connection holds none), and
// large DATA payloads are queued by reference, not copied. A flush hands the socket one buffer,
// or several corked into one writev.

import './latin1.js';

/** Payloads up to this size are copied next to their frame header; larger ones are queued as they are. */
const COPY_LIMIT = 2048;
/** First buffer of a flush cycle: under Buffer.poolSize / 2, so Node slices it from its pool. */
const INITIAL_SIZE = 4000;

export class WriteBuffer {
  private buf: Buffer | undefined;
  /** Where the current segment (not yet in `chunks`) starts in `buf`. */
  private start = 0;
  pos = 0;
  private chunks: Buffer[] | undefined;
  /** Bytes written since the last take(). */
  length = 0;

  /** Makes room for `n` more bytes in the current buffer; returns it. */
  ensure(n: number): Buffer {
    const buf = this.buf;
    if (buf !== undefined && this.pos + n <= buf.length) return buf;
    this.closeSegment();
    const next = Buffer.allocUnsafe(Math.max(n, INITIAL_SIZE));
    this.buf = next;
    this.start = 0;
    this.pos = 0;
    return next;
  }

  /** A 9-byte frame header, RFC 9113 §4.1. */
  frameHeader(length: number, type: number, flags: number, streamId: number): void {
    const buf = this.ensure(9);
    let p = this.pos;
    buf[p++] = length >>> 16;
    buf[p++] = (length >>> 8) & 0xff;
    buf[p++] = length & 0xff;
    buf[p++] = type;
    buf[p++] = flags;
    buf.writeUInt32BE(streamId, p);
    this.pos = p + 4;
    this.length += 9;
  }

  u8(value: number): void {
    const buf = this.ensure(1);
    buf[this.pos++] = value;
    this.length++;
  }

  u32(value: number): void {
    const buf = this.ensure(4);
    buf.writeUInt32BE(value >>> 0, this.pos);
    this.pos += 4;
    this.length += 4;
  }

  /** Copies bytes, or queues them by reference when large. */
  bytes(src: Uint8Array): void {
    const n = src.byteLength;
    if (n > COPY_LIMIT) {
      this.closeSegment();
      this.chunks ??= [];
      this.chunks.push(Buffer.isBuffer(src) ? src : Buffer.from(src.buffer, src.byteOffset, n));
      this.length += n;
      return;
    }
    this.copy(src);
  }

  /** Copies bytes, however many; a few (HPACK index bytes) by hand, faster than a library copy. */
  copy(src: Uint8Array): void {
    const n = src.length; // not byteLength: read per call, it cost ~15 ns more per request block
    const buf = this.ensure(n);
    const pos = this.pos;
    if (n <= 16) for (let i = 0; i < n; i++) buf[pos + i] = src[i]!;
    else buf.set(src, pos);
    this.pos += n;
    this.length += n;
  }

  /** Writes text as latin1 octets (header names and values). */
  latin1(text: string): void {
    const n = text.length;
    const buf = this.ensure(n);
    buf.latin1Write(text, this.pos, n);
    this.pos += n;
    this.length += n;
  }

  /** Everything written since the last take(), in order; the buffer starts afresh. */
  take(): Buffer[] | Buffer | undefined {
    if (this.length === 0) return undefined;
    this.length = 0;
    const chunks = this.chunks;
    const buf = this.buf!;
    const tail = this.pos > this.start ? buf.subarray(this.start, this.pos) : undefined;
    this.buf = undefined;
    this.chunks = undefined;
    this.start = this.pos = 0;
    if (!chunks) return tail;
    if (tail) chunks.push(tail);
    return chunks.length === 1 ? chunks[0]! : chunks;
  }

  /** Everything written since the last take(), as one buffer (empty if nothing). */
  takeAll(): Buffer {
    const taken = this.take();
    if (taken === undefined) return Buffer.alloc(0);
    return Array.isArray(taken) ? Buffer.concat(taken) : taken;
  }

  /** Drops what was written and not taken (the connection is gone). */
  clear(): void {
    this.buf = undefined;
    this.chunks = undefined;
    this.start = this.pos = this.length = 0;
  }

  private closeSegment(): void {
    const buf = this.buf;
    if (buf === undefined || this.pos === this.start) return;
    this.chunks ??= [];
    this.chunks.push(buf.subarray(this.start, this.pos));
    this.start = this.pos;
  }
}
