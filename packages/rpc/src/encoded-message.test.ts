import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { DurationSchema } from '@bufbuild/protobuf/wkt';
import { Code } from './code.js';
import { BinaryCodecs } from './codec/binary-codec.js';
import { withEncoding } from './encoded-message.js';
import { createSerialization } from './serialization.js';

describe('withEncoding', () => {
  it('the binary codec sends the attached bytes; JSON writes the fields', () => {
    const message = create(DurationSchema, { seconds: 5n });
    const stored = new Uint8Array([8, 7]); // seconds: 7, what the sender encoded
    withEncoding(message, stored);
    assert.equal(
      createSerialization(DurationSchema, 'proto', Code.INTERNAL, new BinaryCodecs()).serialize(message),
      stored,
    );
    const json = createSerialization(DurationSchema, 'json', Code.INTERNAL, new BinaryCodecs()).serialize(
      message,
    );
    assert.equal(new TextDecoder().decode(json), '"5s"');
    const plain = create(DurationSchema, { seconds: 5n });
    assert.deepEqual(
      [...createSerialization(DurationSchema, 'proto', Code.INTERNAL, new BinaryCodecs()).serialize(plain)],
      [8, 5],
    );
  });
});
