// Reads length-prefixed messages off an HTTP/2 stream: framing, decompression, size limits and
// parsing, shared by the server (requests) and the client (responses). Internal.

import { Code } from './code.js';
import type { Compression } from './compression.js';
import { type Envelope, EnvelopeDecoder } from './envelope.js';
import { RpcError } from './rpc-error.js';

export class MessageReader<T> {
  private readonly decoder: EnvelopeDecoder;

  constructor(
    private readonly maxBytes: number,
    private readonly compression: Compression | 'identity',
    private readonly parse: (bytes: Uint8Array) => T,
    /** Told the on-the-wire (compressed) size of each message, without its length prefix (a call tracer). */
    private readonly sizes?: { onMessageReceived(compressedBytes: number): void },
    /** Parses a message where it lies in a chunk, with no view made for it (the binary codec). */
    private readonly parseRange?: (buf: Uint8Array, start: number, end: number) => T,
  ) {
    this.decoder = new EnvelopeDecoder(maxBytes);
  }

  /** Splits a chunk into whole envelopes (synchronous; throws on a bad frame). */
  envelopes(chunk: Uint8Array): Envelope[] {
    const envelopes = this.decoder.push(chunk);
    const sizes = this.sizes;
    if (sizes !== undefined) for (const e of envelopes) sizes.onMessageReceived(e.data.byteLength);
    return envelopes;
  }

  /**
   * Reads every whole message of a chunk and hands each, in order, to `deliver`: parsed, or a
   * promise while it is decompressed (synchronous otherwise; throws on a bad frame).
   */
  each(chunk: Uint8Array, deliver: (message: T | Promise<T>) => void): void {
    this.decoder.forEach(chunk, (buf, start, end, compressed) => {
      this.sizes?.onMessageReceived(end - start);
      if (compressed) deliver(this.message({ compressed, data: buf.subarray(start, end) }));
      else if (this.parseRange) deliver(this.parseRange(buf, start, end));
      else deliver(this.parse(buf.subarray(start, end)));
    });
  }

  end(): void {
    this.decoder.end();
  }

  /** Decompresses when flagged, then parses. Synchronous when nothing is compressed. */
  message(envelope: Envelope): T | Promise<T> {
    if (!envelope.compressed) return this.parse(envelope.data);
    if (this.compression === 'identity') {
      throw new RpcError(Code.INTERNAL, 'received a compressed message, but no grpc-encoding was declared');
    }
    return this.compression.decompress(envelope.data, this.maxBytes).then((data) => this.parse(data));
  }
}
