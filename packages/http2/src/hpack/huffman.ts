// HPACK's Huffman code, RFC 7541 §5.2 and Appendix B. The code is canonical, so the bit length
// of each symbol (octets 0-255, then EOS) is all that defines it; codes are assigned in order of
// (length, symbol). Decoding walks a 4-bit state machine built from the code tree on first use;
// a string is an error when it holds EOS or ends in padding that is longer than 7 bits or not
// the all-ones prefix of EOS (§5.2).

import { connectionError } from '../http2-error.js';
import { ErrorCode } from '../protocol.js';

/** Appendix B's code lengths in bits, by symbol; index 256 is EOS. */
const CODE_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28,
  28, 28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7,
  8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19,
  13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13,
  28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21,
  22, 23, 22, 23, 23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23,
  22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25,
  25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30,
];

const EOS = 256;

interface HuffmanTables {
  /** Code of each symbol, right-aligned. */
  codes: Uint32Array;
  lengths: Uint8Array;
  /**
   * The decoder's transitions: for state s (an inner node of the code tree, 0 the root) and
   * input nibble n, entry s * 16 + n packs the next state (bits 0-7), the symbol completed on
   * the way (bits 8-16, valid when bit 17 is set), bit 18 when EOS was crossed (an error) and
   * bit 19 when the next state may end a string (a root or an all-ones path under 8 bits).
   */
  transitions: Uint32Array;
}

const SYMBOL_DONE = 1 << 17;
const FAILED = 1 << 18;
const ACCEPTING = 1 << 19;

let tables: HuffmanTables | undefined;

function build(): HuffmanTables {
  const lengths = Uint8Array.from(CODE_LENGTHS);
  const codes = new Uint32Array(257);
  const order = [...Array(257).keys()].sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  let code = 0;
  let previous = lengths[order[0]!]!;
  for (const symbol of order) {
    code *= 2 ** (lengths[symbol]! - previous);
    previous = lengths[symbol]!;
    codes[symbol] = code++;
  }
  // The code tree: inner nodes numbered from 0 (the root); a child is an inner node (>= 0) or a
  // leaf holding symbol s as -(s + 1).
  const child: [number[], number[]] = [[-1], [-1]];
  const depth = [0];
  const onesPath = [true];
  for (let symbol = 0; symbol <= EOS; symbol++) {
    let node = 0;
    for (let bit = lengths[symbol]! - 1; bit >= 0; bit--) {
      const b = Math.floor(codes[symbol]! / 2 ** bit) & 1;
      if (bit === 0) {
        child[b]![node] = -(symbol + 1);
        break;
      }
      let next = child[b]![node]!;
      if (next === -1 || next === undefined) {
        next = depth.length;
        child[0]![next] = -1;
        child[1]![next] = -1;
        depth.push(depth[node]! + 1);
        onesPath.push(onesPath[node]! && b === 1);
        child[b]![node] = next;
      }
      node = next;
    }
  }
  const states = depth.length; // 256 inner nodes for 257 leaves
  const transitions = new Uint32Array(states * 16);
  for (let state = 0; state < states; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let bit = 3; bit >= 0; bit--) {
        const next = child[(nibble >> bit) & 1]![node]!;
        if (next >= 0) {
          node = next;
          continue;
        }
        const symbol = -next - 1;
        if (symbol === EOS) entry |= FAILED;
        else entry |= SYMBOL_DONE | (symbol << 8);
        node = 0;
      }
      if (node === 0 || (onesPath[node] && depth[node]! < 8)) entry |= ACCEPTING;
      transitions[state * 16 + nibble] = entry | node;
    }
  }
  return { codes, lengths, transitions };
}

function huffmanTables(): HuffmanTables {
  tables ??= build();
  return tables;
}

/**
 * Decodes `src[start, end)` as latin1 text. Throws COMPRESSION_ERROR (a connection error, RFC
 * 9113 §4.3) on EOS in the string or bad padding.
 */
export function huffmanDecode(src: Uint8Array, start: number, end: number): string {
  const { transitions } = huffmanTables();
  // At most 8 symbols per 5 input bytes (5-bit codes are the shortest).
  const out = Buffer.allocUnsafe(Math.ceil(((end - start) * 8) / 5));
  let length = 0;
  let state = 0;
  let entry = ACCEPTING;
  for (let i = start; i < end; i++) {
    const byte = src[i]!;
    entry = transitions[state * 16 + (byte >> 4)]!;
    if (entry & FAILED) throw huffmanError('EOS symbol inside a string');
    if (entry & SYMBOL_DONE) out[length++] = (entry >> 8) & 0xff;
    state = entry & 0xff;
    entry = transitions[state * 16 + (byte & 0xf)]!;
    if (entry & FAILED) throw huffmanError('EOS symbol inside a string');
    if (entry & SYMBOL_DONE) out[length++] = (entry >> 8) & 0xff;
    state = entry & 0xff;
  }
  if (!(entry & ACCEPTING)) throw huffmanError('padding longer than 7 bits or not all ones');
  return out.toString('latin1', 0, length);
}

/** Length in bytes of `text` (latin1) once Huffman-coded. */
export function huffmanLength(text: string): number {
  const { lengths } = huffmanTables();
  let bits = 0;
  for (let i = 0; i < text.length; i++) bits += lengths[text.charCodeAt(i) & 0xff]!;
  return Math.ceil(bits / 8);
}

/** Huffman-codes `text` (latin1) into `out` at `offset`; returns the offset after it. */
export function huffmanEncode(text: string, out: Uint8Array, offset: number): number {
  const { codes, lengths } = huffmanTables();
  let pending = 0; // bits not yet written, right-aligned; fewer than 8 between symbols
  let count = 0;
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    const symbol = text.charCodeAt(i) & 0xff;
    let length = lengths[symbol]!;
    const code = codes[symbol]!;
    // Feed the code in pieces of at most 16 bits so `pending` stays within 32 bits.
    while (length > 0) {
      const take = Math.min(length, 16);
      length -= take;
      pending = ((pending << take) | ((code >>> length) & ((1 << take) - 1))) >>> 0;
      count += take;
      while (count >= 8) {
        count -= 8;
        out[at++] = (pending >>> count) & 0xff;
      }
      pending &= (1 << count) - 1;
    }
  }
  // Pad with the most significant bits of EOS (all ones).
  if (count > 0) out[at++] = ((pending << (8 - count)) | ((1 << (8 - count)) - 1)) & 0xff;
  return at;
}

function huffmanError(message: string) {
  return connectionError(ErrorCode.COMPRESSION_ERROR, `HPACK Huffman string: ${message}`);
}
