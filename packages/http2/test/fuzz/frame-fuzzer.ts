// Random and mutated HTTP/2 frame sequences from a seeded generator (the same seed gives the
// same sequences, so a failure can be replayed): frames of every type with random flags, stream
// ids, lengths and payloads, plausible header blocks among them, then byte-level mutations
// (bit flips, random bytes, truncation, splices, repeats) of such sequences.

import { block, frame, hpackInt, indexedLiteral, settingsPayload, u32 } from '../raw-peer.js';

/** mulberry32: a small seeded PRNG (@shoal/testing's, shared with the codec property tests). */
export { seededRandom as random } from '@shoal/testing';

export class FrameFuzzer {
  constructor(private readonly rand: () => number) {}

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  streamId(): number {
    return this.pick([0, 1, 1, 1, 3, 3, 5, 2, 4, 7, 2 ** 31 - 1, this.int(2 ** 31)]);
  }

  /** A header block: a plausible request or response, a table insertion, or noise. */
  headerBlock(): Buffer {
    switch (this.int(6)) {
      case 0:
        return block([
          [':method', this.pick(['GET', 'POST', 'CONNECT', ''])],
          [':scheme', 'http'],
          [':path', this.pick(['/', '/x', ''])],
          [':authority', 'localhost'],
        ]);
      case 1:
        return block([
          [':status', this.pick(['200', '100', '204', '99', 'abc'])],
          ['content-type', 'text/plain'],
        ]);
      case 2:
        return Buffer.concat([
          Buffer.from([0x83, 0x86, 0x84]),
          indexedLiteral('x-k', 'v'.repeat(this.int(300))),
        ]);
      case 3:
        return Buffer.concat([hpackInt(this.int(5000), 5, 0x20), Buffer.from([0x82, 0x86, 0x84, 0xbe])]);
      case 4:
        return block([
          ['grpc-status', '0'],
          [this.pick(['x', 'X', ':path', 'te', 'connection']), this.pick(['1', 'trailers', 'a\r\nb'])],
        ]);
      default:
        return this.bytes(this.int(40));
    }
  }

  /** One frame of a random type. */
  frame(): Buffer {
    const id = this.streamId();
    const flags = this.rand() < 0.3 ? this.int(256) : this.pick([0, 1, 4, 5, 8, 0x20, 0x25]);
    switch (this.int(12)) {
      case 0:
        return frame(0, flags, id, this.bytes(this.pick([0, 1, 5, 100, 16_384])));
      case 1:
        return frame(1, flags, id, this.maybePadded(flags, this.headerBlock()));
      case 2:
        return frame(2, flags, id, this.bytes(this.pick([5, 5, 4, 6])));
      case 3:
        return frame(3, flags, id, this.bytes(this.pick([4, 4, 3])));
      case 4:
        return frame(
          4,
          this.pick([0, 1]),
          this.pick([0, 0, 1]),
          settingsPayload(
            Array.from({ length: this.int(4) }, () => [
              this.int(10),
              this.pick([0, 1, 2, 100, 16_383, 16_384, 2 ** 31, 2 ** 32 - 1]),
            ]),
          ),
        );
      case 5:
        return frame(5, flags, id, Buffer.concat([u32(this.streamId()), this.headerBlock()]));
      case 6:
        return frame(6, this.pick([0, 1]), this.pick([0, 0, 1]), this.bytes(this.pick([8, 8, 7])));
      case 7:
        return frame(
          7,
          0,
          this.pick([0, 0, 1]),
          Buffer.concat([u32(this.streamId(), this.int(16)), this.bytes(this.int(10))]),
        );
      case 8:
        return frame(8, 0, id, u32(this.pick([0, 1, 1000, 2 ** 31 - 1, this.int(2 ** 32)])));
      case 9:
        return frame(9, flags, id, this.headerBlock());
      case 10:
        return frame(this.int(256), flags, id, this.bytes(this.int(30)));
      default:
        return this.bytes(this.int(20));
    }
  }

  /** 1-12 frames. */
  sequence(): Buffer {
    return Buffer.concat(Array.from({ length: 1 + this.int(12) }, () => this.frame()));
  }

  /** A sequence with 1-4 byte-level mutations. */
  mutated(): Buffer {
    let bytes = this.sequence();
    for (let n = 1 + this.int(4); n > 0 && bytes.length > 0; n--) {
      const at = this.int(bytes.length);
      switch (this.int(5)) {
        case 0:
          bytes[at] = bytes[at]! ^ (1 << this.int(8));
          break;
        case 1:
          bytes[at] = this.int(256);
          break;
        case 2:
          bytes = bytes.subarray(0, at);
          break;
        case 3:
          bytes = Buffer.concat([bytes.subarray(0, at), this.bytes(1 + this.int(16)), bytes.subarray(at)]);
          break;
        default:
          bytes = Buffer.concat([bytes, bytes.subarray(at, at + 1 + this.int(64))]);
      }
    }
    return bytes;
  }

  private maybePadded(flags: number, fragment: Buffer): Buffer {
    let out = fragment;
    if (flags & 0x20) out = Buffer.concat([u32(this.streamId()), Buffer.from([this.int(256)]), out]);
    if (flags & 0x8) out = Buffer.concat([Buffer.from([this.int(8)]), out, Buffer.alloc(this.int(8))]);
    return out;
  }
}
