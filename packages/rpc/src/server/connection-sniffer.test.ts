import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyFirstBytes } from './connection-sniffer.js';

describe('classifyFirstBytes', () => {
  it('tells TLS, HTTP/2 and HTTP/1 apart, and waits when it cannot tell yet', () => {
    assert.equal(classifyFirstBytes(Buffer.from([0x16, 0x03, 0x01])), 'tls');
    assert.equal(classifyFirstBytes(Buffer.from([0x16])), 'tls');
    assert.equal(classifyFirstBytes(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')), 'h2');
    assert.equal(classifyFirstBytes(Buffer.from('PR')), undefined);
    assert.equal(classifyFirstBytes(Buffer.alloc(0)), undefined);
    assert.equal(classifyFirstBytes(Buffer.from('POST /x HTTP/1.1\r\n')), 'http1');
    assert.equal(classifyFirstBytes(Buffer.from('GET / HTTP/1.1\r\n')), 'http1');
    assert.equal(classifyFirstBytes(Buffer.from('PUT')), 'http1');
  });
});
