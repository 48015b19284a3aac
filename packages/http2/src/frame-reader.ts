// Splits the bytes of a connection into frames (RFC 9113 §4.1): a 9-byte header (24-bit length,
// type, flags, 31-bit stream identifier with the reserved bit ignored) and its payload. A frame
// longer than our SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR (§4.2), found from the header
// alone, so an oversized frame is never buffered. A frame split across reads is gathered in one
// buffer of its exact size; whole frames are handed out in place, without copying.

import { connectionError } from './http2-error.js';
import { ErrorCode, FRAME_HEADER_LENGTH } from './protocol.js';

export interface FrameSink {
  /** One frame; its payload is `buf[start, start + length)`, valid only during the call. */
  onFrame(type: number, flags: number, streamId: number, buf: Buffer, start: number, length: number): void;
}

export class FrameReader {
  /** A frame split across reads: its header and payload so far. */
  private partial: Buffer | undefined;
  private filled = 0;
  /** Set by stop(): frames still in the current chunk are dropped. */
  private stopped = false;

  constructor(
    private readonly sink: FrameSink,
    /** Our SETTINGS_MAX_FRAME_SIZE: the largest payload we accept. */
    public maxFrameSize: number,
  ) {}

  /** True while a frame has started arriving but is not complete (slow peers are timed on it). */
  get midFrame(): boolean {
    return this.partial !== undefined;
  }

  /** No more frames are handed out (the connection is closing). */
  stop(): void {
    this.stopped = true;
    this.partial = undefined;
  }

  /** Feeds bytes read from the connection. Throws the Http2Error a connection error is made of. */
  push(chunk: Buffer): void {
    let at = 0;
    const end = chunk.length;
    if (this.partial !== undefined) {
      at = this.fill(chunk);
      if (this.partial !== undefined || this.stopped) return;
    }
    while (at < end && !this.stopped) {
      if (end - at < FRAME_HEADER_LENGTH) {
        this.keep(chunk, at, FRAME_HEADER_LENGTH);
        return;
      }
      const length = (chunk[at]! << 16) | (chunk[at + 1]! << 8) | chunk[at + 2]!;
      this.checkLength(length);
      const total = FRAME_HEADER_LENGTH + length;
      if (end - at < total) {
        this.keep(chunk, at, total);
        return;
      }
      this.emit(chunk, at, length);
      at += total;
    }
  }

  private checkLength(length: number): void {
    if (length > this.maxFrameSize) {
      throw connectionError(
        ErrorCode.FRAME_SIZE_ERROR,
        `frame of ${length} bytes, over our SETTINGS_MAX_FRAME_SIZE of ${this.maxFrameSize}`,
      );
    }
  }

  private emit(buf: Buffer, at: number, length: number): void {
    const streamId = buf.readUInt32BE(at + 5) & 0x7fffffff; // §4.1: the reserved bit is ignored
    this.sink.onFrame(buf[at + 3]!, buf[at + 4]!, streamId, buf, at + FRAME_HEADER_LENGTH, length);
  }

  /** Starts a partial frame with `chunk[at..]`, in a buffer of `size` (header, or whole frame). */
  private keep(chunk: Buffer, at: number, size: number): void {
    const partial = Buffer.allocUnsafe(size);
    this.filled = chunk.copy(partial, 0, at);
    this.partial = partial;
  }

  /** Continues the partial frame from `chunk`; returns how much of the chunk it took. */
  private fill(chunk: Buffer): number {
    let partial = this.partial!;
    let taken = chunk.copy(partial, this.filled, 0);
    this.filled += taken;
    if (this.filled < partial.length) return taken;
    if (partial.length === FRAME_HEADER_LENGTH) {
      // The header is complete: now the frame's own size is known.
      const length = (partial[0]! << 16) | (partial[1]! << 8) | partial[2]!;
      this.checkLength(length);
      if (length > 0) {
        const whole = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + length);
        partial.copy(whole, 0);
        partial = whole;
        this.partial = whole;
        const more = chunk.copy(whole, this.filled, taken);
        this.filled += more;
        taken += more;
        if (this.filled < whole.length) return taken;
      }
    }
    this.partial = undefined;
    this.emit(partial, 0, partial.length - FRAME_HEADER_LENGTH);
    return taken;
  }
}
