import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from './code.js';
import { Metadata } from './metadata.js';
import {
  decodeGrpcMessage,
  decodeStatusDetails,
  encodeGrpcMessage,
  encodeStatusDetails,
  RpcError,
} from './rpc-error.js';

describe('RpcError', () => {
  it('maps Node network errors to gRPC codes', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.equal(RpcError.from(refused).code, Code.UNAVAILABLE);
    assert.equal(RpcError.from(new Error('boom')).code, Code.UNKNOWN);
    assert.equal(RpcError.from('text', Code.INTERNAL).code, Code.INTERNAL);
    const abort = new DOMException('aborted', 'AbortError');
    assert.equal(RpcError.from(abort).code, Code.CANCELLED);
  });

  it('keeps the raw message apart from the printed one', () => {
    const err = new RpcError(Code.NOT_FOUND, 'no such user');
    assert.equal(err.rawMessage, 'no such user');
    assert.equal(err.message, '[NOT_FOUND] no such user');
  });

  it('percent-encodes grpc-message as gRPC specifies and decodes it back', () => {
    const message = '\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n 100%';
    const encoded = encodeGrpcMessage(message);
    assert.match(encoded, /^%09%0Atest with whitespace%0D%0Aand Unicode BMP %E2%98%BA/);
    assert.ok(encoded.endsWith(' 100%25'));
    assert.equal(decodeGrpcMessage(encoded), message);
    assert.equal(decodeGrpcMessage('bad %zz escape'), 'bad %zz escape');
  });

  it('round-trips google.rpc.Status details', () => {
    const err = new RpcError(Code.FAILED_PRECONDITION, 'nope', {
      metadata: new Metadata({ a: '1' }),
      details: [{ typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo', value: new Uint8Array([10, 1, 65]) }],
    });
    const decoded = decodeStatusDetails(encodeStatusDetails(err));
    assert.equal(decoded.code, Code.FAILED_PRECONDITION);
    assert.equal(decoded.message, 'nope');
    assert.deepEqual(decoded.details, err.details);
  });
});
