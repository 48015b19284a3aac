// What the first bytes of a plaintext connection say: HTTP/2's preface (however it is split
// across reads), a TLS record, or anything else for HTTP/1.1.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify } from './protocol-sniffer.js';

const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

describe('protocol sniffer', () => {
  it('HTTP/2 once the whole preface is in, whatever follows it', () => {
    assert.equal(classify(preface), 'h2c');
    assert.equal(classify(Buffer.concat([preface, Buffer.from([0, 0, 0, 4])])), 'h2c');
  });

  it('waits while the bytes are a start of the preface', () => {
    for (const n of [1, 3, 14, 23]) assert.equal(classify(preface.subarray(0, n)), undefined, `${n} bytes`);
  });

  it('HTTP/1.1 as soon as the bytes leave the preface', () => {
    assert.equal(classify(Buffer.from('POST /x HTTP/1.1\r\n')), 'http1');
    assert.equal(classify(Buffer.from('PRI * HTTP/1.1')), 'http1');
    assert.equal(classify(Buffer.from('G')), 'http1');
  });

  it('TLS by its handshake record type', () => {
    assert.equal(classify(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00])), 'tls');
  });
});
