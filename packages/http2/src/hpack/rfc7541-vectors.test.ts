// RFC 7541 Appendix C: every example decoded, with the dynamic table after each block compared
// entry by entry (C.3-C.6 decode their blocks in sequence on one decoder), the integer examples
// of C.1 and the single-field examples of C.2.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteBuffer } from '../write-buffer.js';
import { type HeaderSink, HpackDecoder } from './hpack-decoder.js';
import { writeInteger } from './hpack-encoder.js';

type Field = [string, string];
interface Example {
  id: string;
  hex: string;
  fields: Field[];
  /** The dynamic table afterwards, newest first, with each entry's size. */
  table: [string, string, number][];
}

const statusAndMore: Field[] = [
  [':status', '302'],
  ['cache-control', 'private'],
  ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
  ['location', 'https://www.example.com'],
];
const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const requests: Field[][] = [
  [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
  ],
  [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
    ['cache-control', 'no-cache'],
  ],
  [
    [':method', 'GET'],
    [':scheme', 'https'],
    [':path', '/index.html'],
    [':authority', 'www.example.com'],
    ['custom-key', 'custom-value'],
  ],
];
const requestTables: [string, string, number][][] = [
  [[':authority', 'www.example.com', 57]],
  [
    ['cache-control', 'no-cache', 53],
    [':authority', 'www.example.com', 57],
  ],
  [
    ['custom-key', 'custom-value', 54],
    ['cache-control', 'no-cache', 53],
    [':authority', 'www.example.com', 57],
  ],
];
const responses: Field[][] = [
  statusAndMore,
  [[':status', '307'], ...statusAndMore.slice(1)],
  [
    [':status', '200'],
    ['cache-control', 'private'],
    ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
    ['location', 'https://www.example.com'],
    ['content-encoding', 'gzip'],
    ['set-cookie', cookie],
  ],
];
const responseTables: [string, string, number][][] = [
  [
    ['location', 'https://www.example.com', 63],
    ['date', 'Mon, 21 Oct 2013 20:13:21 GMT', 65],
    ['cache-control', 'private', 52],
    [':status', '302', 42],
  ],
  [
    [':status', '307', 42],
    ['location', 'https://www.example.com', 63],
    ['date', 'Mon, 21 Oct 2013 20:13:21 GMT', 65],
    ['cache-control', 'private', 52],
  ],
  [
    ['set-cookie', cookie, 98],
    ['content-encoding', 'gzip', 52],
    ['date', 'Mon, 21 Oct 2013 20:13:22 GMT', 65],
  ],
];

const sequences: { title: string; tableSize: number; examples: Example[] }[] = [
  {
    title: 'C.3 requests without Huffman coding',
    tableSize: 4096,
    examples: [
      '828684410f7777772e6578616d706c652e636f6d',
      '828684be58086e6f2d6361636865',
      '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565',
    ].map((hex, i) => ({ id: `C.3.${i + 1}`, hex, fields: requests[i]!, table: requestTables[i]! })),
  },
  {
    title: 'C.4 requests with Huffman coding',
    tableSize: 4096,
    examples: [
      '828684418cf1e3c2e5f23a6ba0ab90f4ff',
      '828684be5886a8eb10649cbf',
      '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf',
    ].map((hex, i) => ({ id: `C.4.${i + 1}`, hex, fields: requests[i]!, table: requestTables[i]! })),
  },
  {
    title: 'C.5 responses without Huffman coding (table size 256, evictions)',
    tableSize: 256,
    examples: [
      '4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d',
      '4803333037c1c0bf',
      '88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31',
    ].map((hex, i) => ({ id: `C.5.${i + 1}`, hex, fields: responses[i]!, table: responseTables[i]! })),
  },
  {
    title: 'C.6 responses with Huffman coding (table size 256, evictions)',
    tableSize: 256,
    examples: [
      '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3',
      '4883640effc1c0bf',
      '88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007',
    ].map((hex, i) => ({ id: `C.6.${i + 1}`, hex, fields: responses[i]!, table: responseTables[i]! })),
  },
];

class Collect implements HeaderSink {
  fields: Field[] = [];
  field(name: string, value: string): void {
    this.fields.push([name, value]);
  }
}

/** The decoder's dynamic table, newest first, read through its indexes (62 = newest). */
function tableOf(decoder: HpackDecoder): [string, string, number][] {
  const entries: [string, string, number][] = [];
  for (let index = 62; ; index++) {
    const sink = new Collect();
    try {
      decoder.decode(Buffer.from(indexed(index)), 0, indexed(index).length, 1 << 20, sink);
    } catch {
      return entries;
    }
    const [name, value] = sink.fields[0]!;
    entries.push([name, value, name.length + value.length + 32]);
  }
}

function indexed(index: number): Buffer {
  const out = new WriteBuffer();
  writeInteger(out, index, 7, 0x80);
  return out.take() as Buffer;
}

describe('RFC 7541 Appendix C', () => {
  it('C.1 integers: 10 and 1337 with a 5-bit prefix, 42 with 8 bits', () => {
    const encode = (value: number, bits: number) => {
      const out = new WriteBuffer();
      writeInteger(out, value, bits, 0);
      return (out.take() as Buffer).toString('hex');
    };
    assert.equal(encode(10, 5), '0a');
    assert.equal(encode(1337, 5), '1f9a0a');
    assert.equal(encode(42, 8), '2a');
  });

  it('C.2 single fields: with indexing, without, never indexed, indexed', () => {
    const decoder = new HpackDecoder(4096);
    const cases: [string, Field][] = [
      ['400a637573746f6d2d6b65790d637573746f6d2d686561646572', ['custom-key', 'custom-header']],
      ['040c2f73616d706c652f70617468', [':path', '/sample/path']],
      ['100870617373776f726406736563726574', ['password', 'secret']],
      ['82', [':method', 'GET']],
    ];
    for (const [hex, field] of cases) {
      const sink = new Collect();
      const block = Buffer.from(hex, 'hex');
      decoder.decode(block, 0, block.length, 1 << 20, sink);
      assert.deepEqual(sink.fields, [field]);
    }
    // Only C.2.1 entered the table.
    assert.deepEqual(tableOf(decoder), [['custom-key', 'custom-header', 55]]);
  });

  for (const sequence of sequences) {
    it(sequence.title, () => {
      const decoder = new HpackDecoder(sequence.tableSize);
      for (const example of sequence.examples) {
        const block = Buffer.from(example.hex, 'hex');
        const sink = new Collect();
        decoder.decode(block, 0, block.length, 1 << 20, sink);
        assert.deepEqual(sink.fields, example.fields, example.id);
        const table = tableOf(decoder);
        assert.deepEqual(table, example.table, `${example.id}: dynamic table`);
        assert.equal(
          decoder.tableSize,
          example.table.reduce((n, [, , size]) => n + size, 0),
          example.id,
        );
      }
    });
  }
});
