// Conformance, RFC 9113 section 5 (h2spec's list): stream states and identifiers, concurrency,
// priority, error handling and extensions.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { block, E, F, frame, requestFields, T, u32 } from '../raw-peer.js';
import { conformanceServer, expectConnectionError, expectStreamError } from './conformance-server.js';

const server = conformanceServer();

describe('RFC 9113 §5.1 stream states', () => {
  it('5.1/1 idle: DATA is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.DATA, F.END_STREAM, 1, Buffer.from('test')));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('5.1/2 idle: RST_STREAM is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.RST_STREAM, 0, 1, u32(E.CANCEL)));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('5.1/3 idle: WINDOW_UPDATE is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.WINDOW_UPDATE, 0, 1, u32(100)));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('5.1/4 idle: CONTINUATION is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.CONTINUATION, F.END_HEADERS, 1, block(requestFields())));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('5.1/5 half-closed (remote): DATA is a stream error STREAM_CLOSED', async () => {
    const peer = await server.peer([[4, 0]]); // window 0: the response cannot finish
    peer.headers(1, requestFields());
    peer.send(frame(T.DATA, F.END_STREAM, 1, Buffer.from('test')));
    await expectStreamError(peer, 1, E.STREAM_CLOSED);
  });

  it('5.1/6 half-closed (remote): HEADERS is a stream error STREAM_CLOSED', async () => {
    const peer = await server.peer([[4, 0]]);
    peer.headers(1, requestFields());
    peer.headers(1, [['x-trailer', 'late']]);
    await expectStreamError(peer, 1, E.STREAM_CLOSED);
  });

  it('5.1/7 half-closed (remote): CONTINUATION is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer([[4, 0]]);
    peer.headers(1, requestFields());
    peer.send(frame(T.CONTINUATION, F.END_HEADERS, 1, block([['x-more', '1']])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('5.1/8 closed: DATA after our RST_STREAM is a stream error STREAM_CLOSED', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields(), F.END_HEADERS);
    peer.send(frame(T.RST_STREAM, 0, 1, u32(E.CANCEL)));
    peer.send(frame(T.DATA, F.END_STREAM, 1, Buffer.from('test')));
    await expectStreamError(peer, 1, E.STREAM_CLOSED);
  });

  it('5.1/9 closed: HEADERS after our RST_STREAM is a connection error STREAM_CLOSED', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields(), F.END_HEADERS);
    peer.send(frame(T.RST_STREAM, 0, 1, u32(E.CANCEL)));
    peer.headers(1, requestFields());
    await expectConnectionError(peer, E.STREAM_CLOSED);
  });

  it('5.1/10 closed: CONTINUATION after our RST_STREAM is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields(), F.END_HEADERS);
    peer.send(frame(T.RST_STREAM, 0, 1, u32(E.CANCEL)));
    peer.send(frame(T.CONTINUATION, F.END_HEADERS, 1, block([['x-more', '1']])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('5.1/11 closed: DATA on a finished stream is a stream error STREAM_CLOSED', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields());
    await peer.next((f) => f.type === T.DATA && f.streamId === 1 && (f.flags & F.END_STREAM) !== 0);
    peer.send(frame(T.DATA, F.END_STREAM, 1, Buffer.from('test')));
    await expectStreamError(peer, 1, E.STREAM_CLOSED);
  });

  it('5.1/12 closed: HEADERS on a finished stream is a connection error STREAM_CLOSED', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields());
    await peer.next((f) => f.type === T.DATA && f.streamId === 1 && (f.flags & F.END_STREAM) !== 0);
    peer.headers(1, requestFields());
    await expectConnectionError(peer, E.STREAM_CLOSED);
  });

  it('5.1/13 closed: CONTINUATION on a finished stream is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields());
    await peer.next((f) => f.type === T.DATA && f.streamId === 1 && (f.flags & F.END_STREAM) !== 0);
    peer.send(frame(T.CONTINUATION, F.END_HEADERS, 1, block([['x-more', '1']])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('5.1/14 a server answers a request that ends with HEADERS, and the stream closes', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields());
    const data = await peer.next(
      (f) => f.type === T.DATA && f.streamId === 1 && (f.flags & F.END_STREAM) !== 0,
    );
    assert.ok(data);
    assert.equal(data.payload.length, 64);
  });
});

describe('RFC 9113 §5.1.1 stream identifiers', () => {
  it('5.1.1/1 an even stream id from a client is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.headers(2, requestFields());
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('5.1.1/2 a new stream below one already opened is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.headers(5, requestFields());
    peer.headers(3, requestFields());
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });
});

describe('RFC 9113 §5.1.2 stream concurrency', () => {
  it('5.1.2/1 streams over SETTINGS_MAX_CONCURRENT_STREAMS are refused (REFUSED_STREAM)', async () => {
    const peer = await server.peer([[4, 0]]); // responses wait, streams stay open
    const limit = 10;
    for (let i = 0; i <= limit; i++) peer.headers(1 + 2 * i, requestFields(), F.END_HEADERS);
    await expectStreamError(peer, 1 + 2 * limit, E.REFUSED_STREAM);
  });
});

describe('RFC 9113 §5.3 stream priority (parsed and ignored)', () => {
  it('5.3.1/1 HEADERS that depend on their own stream are a stream error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    const priority = Buffer.concat([u32(1), Buffer.from([15])]);
    peer.send(
      frame(
        T.HEADERS,
        F.END_HEADERS | F.END_STREAM | F.PRIORITY,
        1,
        Buffer.concat([priority, block(requestFields())]),
      ),
    );
    await expectStreamError(peer, 1, E.PROTOCOL_ERROR);
  });

  it('5.3.1/2 PRIORITY that depends on its own stream is a stream error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.PRIORITY, 0, 1, Buffer.concat([u32(1), Buffer.from([15])])));
    await expectStreamError(peer, 1, E.PROTOCOL_ERROR);
  });

  it('5.3/3 PRIORITY on an idle stream is accepted and opens nothing', async () => {
    const peer = await server.peer();
    peer.send(frame(T.PRIORITY, 0, 9, Buffer.concat([u32(0), Buffer.from([15])])));
    peer.headers(1, requestFields());
    assert.ok(await peer.next((f) => f.type === T.HEADERS && f.streamId === 1));
  });
});

describe('RFC 9113 §5.4 error handling', () => {
  it('5.4.1/1 a connection error sends GOAWAY and closes the connection', async () => {
    const peer = await server.peer();
    peer.send(frame(T.PING, 0, 0, Buffer.alloc(6)));
    await expectConnectionError(peer, E.FRAME_SIZE_ERROR);
  });

  it('5.4.1/2 GOAWAY names the last stream processed', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields());
    await peer.next((f) => f.type === T.DATA && f.streamId === 1 && (f.flags & F.END_STREAM) !== 0);
    peer.send(frame(T.PING, 0, 0, Buffer.alloc(6)));
    const end = await peer.end();
    assert.equal(end.goaway?.lastStreamId, 1);
  });
});

describe('RFC 9113 §5.5 extending HTTP/2', () => {
  it('5.5/1 ignores unknown extension frames', async () => {
    const peer = await server.peer();
    peer.send(frame(0xff, 0, 0, Buffer.from('extension')));
    assert.ok(await peer.alive());
  });

  it('5.5/2 an unknown frame inside a header block is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    const fields = block(requestFields());
    peer.send(frame(T.HEADERS, F.END_STREAM, 1, fields.subarray(0, 10)));
    peer.send(frame(0xff, 0, 0, Buffer.from('extension')));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });
});
