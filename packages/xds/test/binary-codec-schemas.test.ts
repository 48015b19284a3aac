// @shoal/rpc's binary codec on every xDS message type this package knows: random messages encode
// to the bytes protobuf-es writes and decode to the messages it reads, whether the codec covers
// the type itself or hands it to protobuf-es (a Struct field anywhere in it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DescMessage, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryCodecs, binaryCodecCovers } from '@shoal/rpc/plugins';
import { randomMessage, seededRandom } from '@shoal/testing';
import { xdsFiles } from '../src/wire/registry.js';

function allMessages(): DescMessage[] {
  const out: DescMessage[] = [];
  const add = (m: DescMessage) => {
    out.push(m);
    for (const nested of m.nestedMessages) add(nested);
  };
  for (const file of xdsFiles()) for (const m of file.messages) add(m);
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

describe('binary codec on the xDS schemas', () => {
  it('encodes and decodes random messages of every type as protobuf-es does', () => {
    const codecs = new BinaryCodecs();
    const random = seededRandom(14);
    const messages = allMessages();
    let covered = 0;
    for (const schema of messages) {
      if (binaryCodecCovers(schema)) covered++;
      const codec = codecs.codec(schema);
      for (let run = 0; run < 10; run++) {
        const message = randomMessage(schema, random, { maxDepth: 2 });
        const expected = toBinary(schema, message);
        const actual = codec.encode(message);
        if (hex(actual) !== hex(expected)) assert.fail(`${schema.typeName} run ${run}: the encodings differ`);
        const bytes = Buffer.from(expected);
        assert.deepStrictEqual(
          codec.decode(bytes),
          fromBinary(schema, bytes),
          `${schema.typeName} run ${run}`,
        );
      }
    }
    // Most Envoy types carry no Struct: the codec covers them itself.
    assert.ok(covered > messages.length / 2, `${covered} of ${messages.length} types covered`);
  });
});
