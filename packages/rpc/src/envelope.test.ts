import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from './code.js';
import { EnvelopeDecoder, encodeEnvelope } from './envelope.js';
import { RpcError } from './rpc-error.js';

const messages = [Buffer.from('first'), Buffer.alloc(0), Buffer.alloc(300, 7), Buffer.from('last')];
const stream = Buffer.concat(messages.map((m, i) => encodeEnvelope(m, i === 2)));

/** Every envelope the decoder gives for `stream` cut into the given chunk sizes. */
function decode(sizes: (at: number) => number): { compressed: boolean; data: string }[] {
  const decoder = new EnvelopeDecoder(1024);
  const out: { compressed: boolean; data: string }[] = [];
  for (let at = 0; at < stream.length; ) {
    const n = Math.min(sizes(at), stream.length - at);
    for (const e of decoder.push(stream.subarray(at, at + n)))
      out.push({ compressed: e.compressed, data: Buffer.from(e.data).toString('hex') });
    at += n;
  }
  decoder.end();
  assert.equal(decoder.buffered, 0);
  return out;
}

describe('EnvelopeDecoder', () => {
  const expected = messages.map((m, i) => ({ compressed: i === 2, data: m.toString('hex') }));

  it('reads every envelope of one chunk, and of chunks cut anywhere', () => {
    assert.deepEqual(
      decode(() => stream.length),
      expected,
    );
    for (const size of [1, 2, 4, 5, 6, 9, 11, 64, 307])
      assert.deepEqual(
        decode(() => size),
        expected,
        `${size}`,
      );
    // Whole envelopes followed by part of the next, then the rest (the offset path and the carried one).
    assert.deepEqual(
      decode((at) => (at === 0 ? 12 : 400)),
      expected,
    );
  });

  it('refuses a bad flag and an oversized message from the header alone', () => {
    const bad = encodeEnvelope(Buffer.from('x'));
    bad[0] = 2;
    assert.throws(
      () => new EnvelopeDecoder(1024).push(Buffer.concat([encodeEnvelope(Buffer.from('ok')), bad])),
      (e) => e instanceof RpcError && e.code === Code.INTERNAL && /compressed flag 2/.test(e.message),
    );
    const head = Buffer.from([0, 0, 0, 8, 0]); // declares 2048 bytes; none of them sent
    assert.throws(
      () => new EnvelopeDecoder(1024).push(head),
      (e) => e instanceof RpcError && e.code === Code.RESOURCE_EXHAUSTED && /2048 vs\. 1024/.test(e.message),
    );
  });

  it('says when the stream ends inside an envelope', () => {
    const decoder = new EnvelopeDecoder(1024);
    assert.equal(decoder.push(stream.subarray(0, 12)).length, 1);
    assert.throws(() => decoder.end(), /stream ended inside a frame \(2 bytes/);
  });
});
