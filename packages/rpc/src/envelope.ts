// gRPC length-prefixed messages (gRPC: PROTOCOL-HTTP2, "Length-Prefixed-Message"):
// 1 byte compressed flag, 4 bytes big-endian length, then the message.

import { Code } from './code.js';
import { RpcError } from './rpc-error.js';

export const envelopeHeaderLength = 5;

/** One message read off the wire, still in its on-the-wire (possibly compressed) form. */
export interface Envelope {
  compressed: boolean;
  data: Uint8Array;
}

/** Where one message lies in `buf`, and whether it is compressed. */
export type OnEnvelope = (buf: Buffer, start: number, end: number, compressed: boolean) => void;

/** Frames one message. Returns a Buffer so node:http2 writes it without another copy. */
export function encodeEnvelope(data: Uint8Array, compressed = false): Buffer {
  const out = Buffer.allocUnsafe(envelopeHeaderLength + data.byteLength);
  out[0] = compressed ? 1 : 0;
  out.writeUInt32BE(data.byteLength, 1);
  out.set(data, envelopeHeaderLength);
  return out;
}

/**
 * Fills in the length prefix of a message encoded behind a gap for it (Serialization's
 * serializeFramed), and returns the framed message.
 */
export function closeEnvelope(framed: Buffer): Buffer {
  framed[0] = 0;
  framed.writeUInt32BE(framed.byteLength - envelopeHeaderLength, 1);
  return framed;
}

/**
 * Splits a byte stream into envelopes, across chunk boundaries. Checks each declared length
 * against the receive limit before buffering it, so an oversized message costs nothing.
 */
export class EnvelopeDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Bytes received that do not yet form a whole envelope. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** Feeds a chunk; returns every envelope it completes. Throws RpcError on a bad frame. */
  push(chunk: Uint8Array): Envelope[] {
    const out: Envelope[] = [];
    this.forEach(chunk, (buf, start, end, compressed) => {
      out.push({ compressed, data: buf.subarray(start, end) });
    });
    return out;
  }

  /**
   * Feeds a chunk; hands each envelope it completes to `onEnvelope` as where its message lies in
   * a buffer (no view is made for it). Throws RpcError on a bad frame.
   */
  forEach(chunk: Uint8Array, onEnvelope: OnEnvelope): void {
    if (chunk.byteLength === 0) return;
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // Nothing left over from before (the usual case): whole envelopes are read off the chunk by
    // offset, and only a partial one at the end is kept.
    const start = this.pendingBytes === 0 ? this.whole(buf, onEnvelope) : 0;
    if (start === buf.length) return;
    this.pending.push(start === 0 ? buf : buf.subarray(start));
    this.pendingBytes += buf.length - start;
    while (this.pendingBytes >= envelopeHeaderLength) {
      const head = this.peekHeader();
      const flag = head[0]!;
      const length = this.checkHeader(flag, head.readUInt32BE(1));
      if (this.pendingBytes < envelopeHeaderLength + length) break;
      const frame = this.take(envelopeHeaderLength + length);
      onEnvelope(frame, envelopeHeaderLength, frame.length, flag === 1);
    }
  }

  /** Hands out the whole envelopes at the start of `buf`; returns where the rest begins. */
  private whole(buf: Buffer, onEnvelope: OnEnvelope): number {
    let at = 0;
    while (buf.length - at >= envelopeHeaderLength) {
      const length = this.checkHeader(buf[at]!, buf.readUInt32BE(at + 1));
      const end = at + envelopeHeaderLength + length;
      if (end > buf.length) break;
      onEnvelope(buf, at + envelopeHeaderLength, end, buf[at] === 1);
      at = end;
    }
    return at;
  }

  /** The declared length, once the flag and the length are known to be acceptable. */
  private checkHeader(flag: number, length: number): number {
    if (flag > 1) {
      throw new RpcError(
        Code.INTERNAL,
        `malformed message: invalid compressed flag ${flag} in length prefix`,
      );
    }
    if (length > this.maxMessageBytes) {
      throw new RpcError(
        Code.RESOURCE_EXHAUSTED,
        `received message larger than max (${length} vs. ${this.maxMessageBytes})`,
      );
    }
    return length;
  }

  /** Throws if the stream ended inside an envelope. */
  end(): void {
    if (this.pendingBytes > 0) {
      throw new RpcError(
        Code.INTERNAL,
        `malformed message: stream ended inside a frame (${this.pendingBytes} bytes of an incomplete message)`,
      );
    }
  }

  private peekHeader(): Buffer {
    const first = this.pending[0]!;
    if (first.byteLength >= envelopeHeaderLength) return first;
    return Buffer.concat(this.pending, Math.min(this.pendingBytes, 64)).subarray(0, envelopeHeaderLength);
  }

  private take(n: number): Buffer {
    const first = this.pending[0]!;
    if (first.byteLength >= n) {
      // Fast path: the whole frame sits in one chunk (the usual case for small messages).
      if (first.byteLength === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      this.pendingBytes -= n;
      return first.subarray(0, n);
    }
    const all = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = all.byteLength > n ? [all.subarray(n)] : [];
    this.pendingBytes -= n;
    return all.subarray(0, n);
  }
}
