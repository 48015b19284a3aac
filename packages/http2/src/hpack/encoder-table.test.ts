// A repeated field is inserted on its second block and indexed from the third (RFC 7541 §6.2.1,
// §6.1); values that change are never inserted; eviction and a lowered table size keep the
// encoder's indexes in step with a decoder (ours; node:http2's is in test/interop).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteBuffer } from '../write-buffer.js';
import { HpackDecoder } from './hpack-decoder.js';
import { encodeHeaderBlock, type HeaderBlock, HpackEncoder, type OutgoingHeaders } from './hpack-encoder.js';

function block(encoder: HpackEncoder, headers: OutgoingHeaders, prebuilt?: HeaderBlock): Buffer {
  const out = new WriteBuffer();
  encoder.encode(out, prebuilt, headers);
  return out.takeAll();
}

function decode(decoder: HpackDecoder, bytes: Buffer): [string, string, boolean][] {
  const fields: [string, string, boolean][] = [];
  decoder.decode(bytes, 0, bytes.length, 1 << 20, { field: (n, v, literal) => fields.push([n, v, literal]) });
  return fields;
}

const mx = 'Cg0KB05BTUVTUEFDRRICGgA'.repeat(16);

describe('HPACK encoder: repeated fields through the dynamic table', () => {
  it('inserts a repeated value once, then sends one index byte; a changing value stays literal', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder(4096);
    const sizes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const bytes = block(encoder, { 'x-envoy-peer-metadata': mx, traceparent: `00-${i}` });
      sizes.push(bytes.length);
      const fields = decode(decoder, bytes);
      assert.deepEqual(
        fields.map(([n, v]) => [n, v]),
        [
          ['x-envoy-peer-metadata', mx],
          ['traceparent', `00-${i}`],
        ],
      );
      assert.equal(fields[0]![2], i < 2, `block ${i}: the metadata is a literal only until indexed`);
      assert.equal(fields[1]![2], true);
      if (i === 1) assert.equal(bytes[0], 0x40, 'the second block inserts it (§6.2.1)');
      if (i >= 2) assert.equal(bytes[0], 0x80 | 62, 'later blocks index it (§6.1)');
    }
    assert.ok(sizes[4]! < 20, `block of ${sizes[4]} bytes`);
    assert.equal(decoder.tableSize, 'x-envoy-peer-metadata'.length + mx.length + 32);
  });

  it('bounds an indexed field by its index, so a block reserves what it may use', () => {
    const encoder = new HpackEncoder();
    const headers = { 'x-envoy-peer-metadata': mx, 'x-id': 'a' };
    const literal = encoder.bound(undefined, headers);
    assert.ok(literal > mx.length, `bound ${literal} before the value is in the table`);
    for (let i = 0; i < 3; i++) {
      const bound = encoder.bound(undefined, headers);
      assert.ok(block(encoder, headers).length <= bound, `block ${i} within its bound ${bound}`);
    }
    const indexed = encoder.bound(undefined, headers);
    assert.ok(indexed < 30, `bound ${indexed} once both fields are indexed`);
    assert.ok(block(encoder, headers).length <= indexed);
  });

  it('keeps indexes right as entries are evicted and when the peer lowers the table size', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder(4096);
    const value = (i: number) => `${i}`.padStart(600, 'v');
    // Ten names of 600-byte values, each sent three times in turn: the 4096-byte table holds six.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) {
        const headers = { [`x-h${i}`]: value(i), 'x-fixed': 'same' };
        const fields = decode(decoder, block(encoder, headers));
        assert.deepEqual(
          fields.map(([n, v]) => [n, v]),
          Object.entries(headers),
        );
      }
    }
    encoder.peerTableSize(700);
    const bytes = block(encoder, { 'x-h9': value(9), 'x-fixed': 'same' });
    assert.equal(bytes[0]! & 0xe0, 0x20, 'the block starts with a size update (§6.3)');
    const fields = decode(decoder, bytes);
    assert.deepEqual(
      fields.map(([n, v]) => [n, v]),
      [
        ['x-h9', value(9)],
        ['x-fixed', 'same'],
      ],
    );
    assert.ok(decoder.tableSize <= 700);
    encoder.peerTableSize(0);
    for (let i = 0; i < 3; i++) {
      const again = decode(decoder, block(encoder, { 'x-fixed': 'same' }));
      assert.deepEqual(again, [['x-fixed', 'same', true]], 'nothing is indexed in a table of size 0');
    }
  });

  it('never inserts credentials (§7.1.3)', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder(4096);
    for (let i = 0; i < 3; i++) {
      const bytes = block(encoder, { authorization: 'Bearer token' });
      assert.equal(bytes[0], 0x10 | 15, 'never indexed, name from the static table (index 23)');
      decode(decoder, bytes);
    }
    assert.equal(decoder.tableSize, 0);
  });

  it('sends a frozen object of fields as the same index bytes again, until the table changes', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder(4096);
    const pseudo = encodeHeaderBlock({ ':method': 'POST', ':scheme': 'http', ':path': '/s/M' });
    const constant = Object.freeze({
      'x-envoy-peer-metadata-id': 'sidecar~10.0.0.1~a.ns~ns.svc',
      'x-envoy-peer-metadata': mx,
    });
    const expect = [...Object.entries(pseudo.headers), ...Object.entries(constant)];
    const send = (headers: OutgoingHeaders) => {
      const bound = encoder.bound(pseudo, headers);
      const bytes = block(encoder, headers, pseudo);
      assert.ok(bytes.length <= bound, `${bytes.length} bytes within the bound ${bound}`);
      return { bytes, fields: decode(decoder, bytes) };
    };
    const blocks: Buffer[] = [];
    for (let i = 0; i < 5; i++) {
      const { bytes, fields } = send(constant);
      assert.deepEqual(
        fields.map(([n, v]) => [n, v]),
        expect,
        `block ${i}`,
      );
      blocks.push(bytes);
    }
    assert.deepEqual(blocks[4], blocks[3], 'the same bytes once both fields are indexed');
    assert.ok(blocks[4]!.length < pseudo.bytes.length + 5);
    // A field of another call goes into the table: every index moves by one.
    send({ 'x-call': 'one' });
    send({ 'x-call': 'one' });
    const moved = send(constant);
    assert.deepEqual(
      moved.fields.map(([n, v]) => [n, v]),
      expect,
      'indexes after an insertion',
    );
    assert.notDeepEqual(moved.bytes, blocks[4]);
    // A failed block empties both tables (forget): the fields go out as literals again.
    encoder.forget();
    const fresh = send(constant);
    assert.deepEqual(
      fresh.fields.map(([n, v]) => [n, v]),
      expect,
    );
    assert.ok(
      fresh.fields.slice(-2).every(([, , literal]) => literal),
      'literals after forget()',
    );
  });

  it('sends a frozen object too large for the table as literals every time, and right', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder(4096);
    const pseudo = encodeHeaderBlock({ ':method': 'POST', ':scheme': 'http', ':path': '/s/M' });
    const big = Object.freeze({ 'x-big': 'b'.repeat(3000), 'x-small': 'same' });
    for (let i = 0; i < 4; i++) {
      const bound = encoder.bound(pseudo, big);
      const bytes = block(encoder, big, pseudo);
      assert.ok(bytes.length <= bound);
      const fields = decode(decoder, bytes).slice(-2);
      assert.deepEqual(
        fields.map(([n, v]) => [n, v]),
        Object.entries(big),
        `block ${i}`,
      );
      assert.equal(fields[0]![2], true, 'the large value stays a literal');
      assert.equal(fields[1]![2], i < 2, 'the small one is indexed from the third block');
    }
  });
});
