// Conformance, RFC 7541 (h2spec's hpack list): index address space, table size updates, string
// literals and Huffman padding, each a connection error COMPRESSION_ERROR (RFC 9113 §4.3).

import { describe, it } from 'node:test';
import { block, E, F, frame, hpackInt, requestFields, T } from '../raw-peer.js';
import { conformanceServer, expectConnectionError } from './conformance-server.js';

const server = conformanceServer();

async function compressionError(fragment: Buffer): Promise<void> {
  const peer = await server.peer();
  peer.send(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, fragment));
  await expectConnectionError(peer, E.COMPRESSION_ERROR);
}

describe('RFC 7541 §2.3.3 index address space', () => {
  it('2.3.3/1 an indexed field past both tables is a COMPRESSION_ERROR', () =>
    compressionError(hpackInt(70, 7, 0x80)));
  it('2.3.3/2 a literal whose name index is past both tables is a COMPRESSION_ERROR', () =>
    compressionError(Buffer.concat([hpackInt(70, 4, 0), Buffer.from([1, 0x61])])));
});

describe('RFC 7541 §4.2 maximum table size', () => {
  it('4.2/1 a size update after the first field is a COMPRESSION_ERROR', () =>
    compressionError(Buffer.concat([block(requestFields()), hpackInt(0, 5, 0x20)])));
  it('4.2/2 size updates at the start of a block are accepted', async () => {
    const peer = await server.peer();
    peer.send(
      frame(
        T.HEADERS,
        F.END_HEADERS | F.END_STREAM,
        1,
        Buffer.concat([hpackInt(0, 5, 0x20), hpackInt(4096, 5, 0x20), block(requestFields())]),
      ),
    );
    await peer.next((f) => f.type === T.HEADERS && f.streamId === 1);
  });
});

describe('RFC 7541 §5.2 string literals', () => {
  // "a" as Huffman (00011) with padding: 8 more ones, zeros, or with EOS inside.
  it('5.2/1 Huffman padding longer than 7 bits is a COMPRESSION_ERROR', () =>
    compressionError(Buffer.from([0x00, 0x82, 0x1f, 0xff, 0x00])));
  it('5.2/2 Huffman padding of zeros is a COMPRESSION_ERROR', () =>
    compressionError(Buffer.from([0x00, 0x81, 0x18, 0x00])));
  it('5.2/3 a Huffman string holding EOS is a COMPRESSION_ERROR', () =>
    compressionError(Buffer.from([0x00, 0x85, 0xf2, 0xff, 0xff, 0xff, 0xff, 0x00])));
  it('5.2/4 a string longer than the block is a COMPRESSION_ERROR', () =>
    compressionError(Buffer.from([0x00, 0x05, 0x61])));
});

describe('RFC 7541 §6.1 indexed field', () => {
  it('6.1/1 index 0 is a COMPRESSION_ERROR', () => compressionError(Buffer.from([0x80])));
});

describe('RFC 7541 §6.3 dynamic table size update', () => {
  it('6.3/1 a size over SETTINGS_HEADER_TABLE_SIZE is a COMPRESSION_ERROR', () =>
    compressionError(hpackInt(4097, 5, 0x20)));
});

describe('RFC 7541 §5.1 integers', () => {
  it('5.1/1 an integer past 2^31 - 1 is a COMPRESSION_ERROR', () =>
    compressionError(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f])));
});
