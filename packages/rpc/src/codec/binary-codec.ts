// The protobuf binary codec of @shoal/rpc: encoders and decoders compiled from protobuf-es's
// descriptors (see message-encoder.ts, message-decoder.ts), byte-identical to protobuf-es's
// toBinary and reading into the same message objects as its fromBinary, at a fraction of their
// cost per message. Types it does not cover (codec-coverage.ts), values it would not write as
// protobuf-es does, and input it finds malformed go to protobuf-es, so every result and every
// error is protobuf-es's. The compiled codecs belong to the instance (one per client or server).

import { type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { binaryCodecCovers } from './codec-coverage.js';
import { compileDecoder, type MessageDecoder } from './message-decoder.js';
import { compileEncoder, type MessageEncoder } from './message-encoder.js';
import { NOT_COVERED } from './not-covered.js';
import type { EncodeState } from './scalar-encoders.js';
import { WireReader } from './wire-reader.js';

/** The protobuf binary codec of one message type: protobuf-es's bytes and messages, faster. */
export interface BinaryCodec<T> {
  encode(message: T): Uint8Array;
  /**
   * The encoding behind a `prefix`-byte gap the caller fills (a gRPC length prefix): one buffer
   * and no copy for a framed message.
   */
  encodeAfter(prefix: number, message: T): Buffer;
  decode(bytes: Uint8Array): T;
  /** Decodes `buf` from `start` to `end` (a message inside a larger chunk), with no view made for it. */
  decodeRange(buf: Uint8Array, start: number, end: number): T;
}

/** Binary codecs compiled per message type, on first use; one set per client, server or library. */
export class BinaryCodecs {
  private readonly encoders = new Map<DescMessage, MessageEncoder>();
  private readonly decoders = new Map<DescMessage, MessageDecoder>();
  private readonly codecs = new Map<DescMessage, BinaryCodec<unknown>>();

  /** The codec of `desc`, compiled on first use. */
  codec<Desc extends DescMessage>(desc: Desc): BinaryCodec<MessageShape<Desc>> {
    let codec = this.codecs.get(desc);
    if (!codec) {
      codec = binaryCodecCovers(desc) ? this.compiled(desc) : protobufEs(desc);
      this.codecs.set(desc, codec);
    }
    return codec as BinaryCodec<MessageShape<Desc>>;
  }

  private compiled(desc: DescMessage): BinaryCodec<unknown> {
    const encoder = compileEncoder(desc, this.encoders);
    const decoder = compileDecoder(desc, this.decoders);
    // Encoding and decoding run no caller code and never re-enter: one state and one reader
    // serve every call.
    const reader = new WireReader();
    const state: EncodeState = { lengths: [], top: 0, at: 0 };
    const encodeAfter = (prefix: number, message: unknown): Buffer => {
      state.top = 0;
      state.at = 0;
      let size: number;
      try {
        size = encoder.size(message, state);
      } catch (err) {
        if (err !== NOT_COVERED) throw err;
        return after(prefix, toBinary(desc, message as MessageShape<DescMessage>));
      }
      const buf = Buffer.allocUnsafe(prefix + size);
      // The buffer is not zeroed: a write that ended anywhere but its end (a sizing bug) must not
      // send the pool's old bytes, so protobuf-es encodes instead.
      if (encoder.write(buf, prefix, message, state) !== buf.length)
        return after(prefix, toBinary(desc, message as MessageShape<DescMessage>));
      return buf;
    };
    const decodeRange = (buf: Uint8Array, start: number, end: number): unknown => {
      const message = decoder.create();
      try {
        decoder.read(message, reader.reset(buf, start, end), end, 1);
      } catch {
        // Malformed, or only odd: protobuf-es reads it, or throws its own error.
        return fromBinary(desc, buf.subarray(start, end));
      } finally {
        reader.reset(EMPTY);
      }
      return message;
    };
    return {
      encode: (message) => encodeAfter(0, message),
      encodeAfter,
      decode: (bytes) => decodeRange(bytes, 0, bytes.length),
      decodeRange,
    };
  }
}

function protobufEs(desc: DescMessage): BinaryCodec<unknown> {
  return {
    encode: (message) => toBinary(desc, message as MessageShape<DescMessage>),
    encodeAfter: (prefix, message) => after(prefix, toBinary(desc, message as MessageShape<DescMessage>)),
    decode: (bytes) => fromBinary(desc, bytes),
    decodeRange: (buf, start, end) => fromBinary(desc, buf.subarray(start, end)),
  };
}

const EMPTY = new Uint8Array(0);

function after(prefix: number, bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(prefix + bytes.byteLength);
  out.set(bytes, prefix);
  return out;
}
