import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xxHash64, xxHash64Parts } from './xxhash64.js';

// Vectors computed with the reference C implementation (xxhsum 0.8.1 -H64, seed 0) and its Python
// binding (python3-xxhash 3.2.0, for seeds other than 0).
const vectors: [string, bigint, bigint][] = [
  ['', 0n, 0xef46db3751d8e999n],
  ['a', 0n, 0xd24ec4f1a98c6e5bn],
  ['abc', 0n, 0x44bc2cf5ad770999n],
  ['10.0.0.1:8080_0', 0n, 0x23a29ae775dfd4a3n],
  ['10.0.0.1:8080', 0n, 0xcb972177068eb685n],
  ['The quick brown fox jumps over the lazy dog', 0n, 0x0b242d361fda71bcn],
  ['0123456789abcdef0123456789abcdef0123456789abcdefXYZ', 0n, 0x2068b5be32b6d8dcn],
  ['', 1n, 0xd5afba1336a3be4bn],
  ['abc', 1n, 0xbea9ca8199328908n],
  ['10.0.0.1:8080', 1n, 0x0dfce9efd349b428n],
  ['0123456789abcdef0123456789abcdef0123456789abcdefXYZ', 1n, 0x3b63a841fb1729c3n],
  ['abc', 0x9e3779b185ebca87n, 0xa7cb2aac405e36c7n],
];

describe('xxHash64', () => {
  for (const [input, seed, want] of vectors) {
    it(`hashes ${JSON.stringify(input)} with seed ${seed}`, () => {
      assert.equal(xxHash64(input, seed), want);
    });
  }

  it('hashes bytes and their string form alike, and writes halves', () => {
    const bytes = new TextEncoder().encode('The quick brown fox jumps over the lazy dog');
    assert.equal(xxHash64(bytes), 0x0b242d361fda71bcn);
    const out = new Uint32Array(2);
    xxHash64Parts(bytes, 0n, out);
    assert.deepEqual([...out], [0x0b242d36, 0x1fda71bc]);
  });

  it('hashes UTF-8, not UTF-16', () => {
    assert.equal(xxHash64('é'), xxHash64(new Uint8Array([0xc3, 0xa9])));
  });
});
