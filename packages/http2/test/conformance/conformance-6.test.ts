// Conformance, RFC 9113 section 6 (h2spec's list): each frame type's rules, the SETTINGS
// parameters and their synchronisation, and flow control.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { block, E, F, frame, requestFields, settingsPayload, T, u32 } from '../raw-peer.js';
import { conformanceServer, expectConnectionError, expectStreamError } from './conformance-server.js';

const server = conformanceServer();
const dataOn = (id: number) => (f: { type: number; streamId: number }) =>
  f.type === T.DATA && f.streamId === id;

describe('RFC 9113 §6.1 DATA', () => {
  it('6.1/1 DATA on stream 0 is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.DATA, F.END_STREAM, 0, Buffer.from('test')));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.1/2 DATA on a stream not open or half-closed (local) is a stream error STREAM_CLOSED', async () => {
    const peer = await server.peer([[4, 0]]);
    peer.headers(1, requestFields());
    peer.send(frame(T.DATA, F.END_STREAM, 1, Buffer.from('test')));
    await expectStreamError(peer, 1, E.STREAM_CLOSED);
  });

  it('6.1/3 DATA with a pad length past its end is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields(), F.END_HEADERS);
    peer.send(frame(T.DATA, F.END_STREAM | F.PADDED, 1, Buffer.from([6, 0x74, 0x65, 0x73, 0x74])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.1/4 padded DATA is read without its padding', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields(), F.END_HEADERS);
    peer.send(frame(T.DATA, F.END_STREAM | F.PADDED, 1, Buffer.from([3, 0x74, 0x65, 0, 0, 0])));
    assert.ok(await peer.next(dataOn(1)));
  });
});

describe('RFC 9113 §6.2 HEADERS', () => {
  it('6.2/1 HEADERS without END_HEADERS then PRIORITY is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.HEADERS, F.END_STREAM, 1, block(requestFields())));
    peer.send(frame(T.PRIORITY, 0, 1, Buffer.concat([u32(0), Buffer.from([15])])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.2/2 HEADERS to another stream inside a header block is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.HEADERS, F.END_STREAM, 1, block(requestFields())));
    peer.headers(3, requestFields());
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.2/3 HEADERS on stream 0 is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.headers(0, requestFields());
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.2/4 HEADERS with a pad length past its end is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    const fields = block(requestFields());
    peer.send(
      frame(
        T.HEADERS,
        F.END_HEADERS | F.END_STREAM | F.PADDED,
        1,
        Buffer.concat([Buffer.from([fields.length + 1]), fields]),
      ),
    );
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.2/5 padded HEADERS with a priority are read', async () => {
    const peer = await server.peer();
    const payload = Buffer.concat([
      Buffer.from([4]),
      u32(0),
      Buffer.from([200]),
      block(requestFields()),
      Buffer.alloc(4),
    ]);
    peer.send(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM | F.PADDED | F.PRIORITY, 1, payload));
    assert.ok(await peer.next((f) => f.type === T.HEADERS && f.streamId === 1));
  });
});

describe('RFC 9113 §6.3 PRIORITY', () => {
  it('6.3/1 PRIORITY on stream 0 is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.PRIORITY, 0, 0, Buffer.concat([u32(1), Buffer.from([15])])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.3/2 PRIORITY of a length other than 5 is a stream error FRAME_SIZE_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.PRIORITY, 0, 1, Buffer.concat([u32(0), Buffer.from([15, 0])])));
    await expectStreamError(peer, 1, E.FRAME_SIZE_ERROR);
  });
});

describe('RFC 9113 §6.4 RST_STREAM', () => {
  it('6.4/1 RST_STREAM on stream 0 is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.RST_STREAM, 0, 0, u32(E.CANCEL)));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.4/2 RST_STREAM on an idle stream is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.RST_STREAM, 0, 1, u32(E.CANCEL)));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.4/3 RST_STREAM of a length other than 4 is a connection error FRAME_SIZE_ERROR', async () => {
    const peer = await server.peer([[4, 0]]);
    peer.headers(1, requestFields());
    peer.send(frame(T.RST_STREAM, 0, 1, Buffer.from([0, 0, 0])));
    await expectConnectionError(peer, E.FRAME_SIZE_ERROR);
  });
});

describe('RFC 9113 §6.5 SETTINGS', () => {
  it('6.5/1 SETTINGS ACK with a payload is a connection error FRAME_SIZE_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.SETTINGS, F.ACK, 0, settingsPayload([[3, 100]])));
    await expectConnectionError(peer, E.FRAME_SIZE_ERROR);
  });

  it('6.5/2 SETTINGS on a stream other than 0 is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.SETTINGS, 0, 1, settingsPayload([[3, 100]])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.5/3 SETTINGS of a length not a multiple of 6 is a connection error FRAME_SIZE_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.SETTINGS, 0, 0, Buffer.from([0, 3, 0, 0])));
    await expectConnectionError(peer, E.FRAME_SIZE_ERROR);
  });

  it('6.5.2/1 SETTINGS_ENABLE_PUSH other than 0 or 1 is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload([[2, 2]])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.5.2/2 SETTINGS_INITIAL_WINDOW_SIZE over 2^31 - 1 is a connection error FLOW_CONTROL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload([[4, 2 ** 31]])));
    await expectConnectionError(peer, E.FLOW_CONTROL_ERROR);
  });

  it('6.5.2/3 SETTINGS_MAX_FRAME_SIZE under 2^14 is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload([[5, 16_383]])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.5.2/4 SETTINGS_MAX_FRAME_SIZE over 2^24 - 1 is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload([[5, 2 ** 24]])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.5.2/5 an unknown setting is ignored and acknowledged', async () => {
    const peer = await server.peer();
    const from = peer.frames.length;
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload([[0xff, 1]])));
    assert.ok(await peer.next((f) => f.type === T.SETTINGS && f.flags === F.ACK, 3000, from));
  });

  it('6.5.3/1 of several values of one setting the last one counts', async () => {
    const peer = await server.peer();
    peer.send(
      frame(
        T.SETTINGS,
        0,
        0,
        settingsPayload([
          [4, 100],
          [4, 1],
        ]),
      ),
    );
    peer.headers(1, requestFields());
    const data = await peer.next(dataOn(1));
    assert.equal(data?.payload.length, 1);
  });

  it('6.5.3/2 SETTINGS are acknowledged', async () => {
    const peer = await server.peer();
    const from = peer.frames.length;
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload([[3, 50]])));
    assert.ok(
      await peer.next(
        (f) => f.type === T.SETTINGS && f.flags === F.ACK && f.payload.length === 0,
        3000,
        from,
      ),
    );
  });

  it('6.5.3/3 SETTINGS not acknowledged in time end the connection with SETTINGS_TIMEOUT', async () => {
    const { Http2Server } = await import('../../src/index.js');
    const { RawPeer, PREFACE } = await import('../raw-peer.js');
    const strict = new Http2Server({ onStream() {}, limits: { settingsAckTimeoutMs: 100 } });
    const { port } = await strict.listen(0);
    const net = await import('node:net');
    const socket = net.connect(port, '127.0.0.1');
    const peer = new RawPeer(socket);
    peer.send(PREFACE, frame(T.SETTINGS, 0, 0)); // its SETTINGS, never an ACK of the server's
    await expectConnectionError(peer, E.SETTINGS_TIMEOUT);
    await strict.close(100);
  });
});

describe('RFC 9113 §6.7 PING', () => {
  it('6.7/1 PING is answered with an ACK carrying the same payload', async () => {
    const peer = await server.peer();
    assert.ok(await peer.alive());
  });

  it('6.7/2 a PING ACK is not answered', async () => {
    const peer = await server.peer();
    const from = peer.frames.length;
    peer.send(frame(T.PING, F.ACK, 0, Buffer.alloc(8, 5)));
    assert.ok(await peer.alive());
    assert.equal(peer.frames.slice(from).filter((f) => f.type === T.PING).length, 1);
  });

  it('6.7/3 PING on a stream other than 0 is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.PING, 0, 1, Buffer.alloc(8)));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.7/4 PING of a length other than 8 is a connection error FRAME_SIZE_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.PING, 0, 0, Buffer.alloc(6)));
    await expectConnectionError(peer, E.FRAME_SIZE_ERROR);
  });
});

describe('RFC 9113 §6.8 GOAWAY', () => {
  it('6.8/1 GOAWAY on a stream other than 0 is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.GOAWAY, 0, 1, u32(0, 0)));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.8/2 after a client GOAWAY the streams open finish, then the server closes', async () => {
    const peer = await server.peer([[4, 10]]);
    peer.headers(1, requestFields());
    peer.send(frame(T.GOAWAY, 0, 0, u32(0, E.NO_ERROR)));
    peer.send(frame(T.WINDOW_UPDATE, 0, 1, u32(1000)));
    const last = await peer.next(
      (f) => f.type === T.DATA && f.streamId === 1 && (f.flags & F.END_STREAM) !== 0,
    );
    assert.ok(last, 'the open stream did not finish');
    assert.equal((await peer.end()).closed, true);
  });
});

describe('RFC 9113 §6.9 WINDOW_UPDATE', () => {
  it('6.9/1 an increment of 0 on the connection is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.WINDOW_UPDATE, 0, 0, u32(0)));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.9/2 an increment of 0 on a stream is a stream error PROTOCOL_ERROR', async () => {
    const peer = await server.peer([[4, 0]]);
    peer.headers(1, requestFields());
    peer.send(frame(T.WINDOW_UPDATE, 0, 1, u32(0)));
    await expectStreamError(peer, 1, E.PROTOCOL_ERROR);
  });

  it('6.9/3 WINDOW_UPDATE of a length other than 4 is a connection error FRAME_SIZE_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.WINDOW_UPDATE, 0, 0, Buffer.from([0, 0, 0, 1, 0])));
    await expectConnectionError(peer, E.FRAME_SIZE_ERROR);
  });

  it('6.9.1/1 with an initial window of 1 the response comes 1 byte at a time', async () => {
    const peer = await server.peer([[4, 1]]);
    peer.headers(1, requestFields());
    const data = await peer.next(dataOn(1));
    assert.equal(data?.payload.length, 1);
  });

  it('6.9.1/2 a connection window over 2^31 - 1 is a connection error FLOW_CONTROL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.WINDOW_UPDATE, 0, 0, u32(2 ** 31 - 1)));
    await expectConnectionError(peer, E.FLOW_CONTROL_ERROR);
  });

  it('6.9.1/3 a stream window over 2^31 - 1 is a stream error FLOW_CONTROL_ERROR', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields(), F.END_HEADERS); // the request goes on: the stream stays open
    peer.send(frame(T.WINDOW_UPDATE, 0, 1, u32(2 ** 31 - 1)), frame(T.WINDOW_UPDATE, 0, 1, u32(2 ** 31 - 1)));
    await expectStreamError(peer, 1, E.FLOW_CONTROL_ERROR);
  });

  it('6.9.2/1 a change of SETTINGS_INITIAL_WINDOW_SIZE applies to open streams', async () => {
    const peer = await server.peer([[4, 0]]);
    peer.headers(1, requestFields());
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await peer.next(dataOn(1), 50), undefined);
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload([[4, 1]])));
    const data = await peer.next(dataOn(1));
    assert.equal(data?.payload.length, 1);
  });

  it('6.9.2/2 a window made negative by SETTINGS sends again once it is positive', async () => {
    const peer = await server.peer([[4, 10]]);
    peer.headers(1, requestFields());
    await peer.next(dataOn(1));
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload([[4, 0]]))); // the window is now -0... then -10 + 10
    peer.send(frame(T.WINDOW_UPDATE, 0, 1, u32(1)));
    await new Promise((r) => setTimeout(r, 50));
    const before = peer.frames.filter(dataOn(1)).length;
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload([[4, 20]])));
    await peer.next((f) => dataOn(1)(f), 3000, peer.frames.length);
    assert.ok(peer.frames.filter(dataOn(1)).length > before);
  });

  it('6.9.2/3 SETTINGS_INITIAL_WINDOW_SIZE over 2^31 - 1 is a connection error FLOW_CONTROL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload([[4, 2 ** 31]])));
    await expectConnectionError(peer, E.FLOW_CONTROL_ERROR);
  });
});

describe('RFC 9113 §6.10 CONTINUATION', () => {
  const fields = block([...requestFields(), ['x-a', 'a'.repeat(30)], ['x-b', 'b'.repeat(30)]]);

  it('6.10/1 a header block in HEADERS and several CONTINUATION frames is read', async () => {
    const peer = await server.peer();
    peer.send(
      frame(T.HEADERS, F.END_STREAM, 1, fields.subarray(0, 20)),
      frame(T.CONTINUATION, 0, 1, fields.subarray(20, 50)),
      frame(T.CONTINUATION, F.END_HEADERS, 1, fields.subarray(50)),
    );
    assert.ok(await peer.next((f) => f.type === T.HEADERS && f.streamId === 1));
  });

  it('6.10/2 a frame other than CONTINUATION inside a header block is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(
      frame(T.HEADERS, F.END_STREAM, 1, fields.subarray(0, 20)),
      frame(T.DATA, 0, 1, Buffer.from('x')),
    );
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.10/3 CONTINUATION on stream 0 is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(
      frame(T.HEADERS, F.END_STREAM, 1, fields.subarray(0, 20)),
      frame(T.CONTINUATION, F.END_HEADERS, 0, fields.subarray(20)),
    );
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.10/4 CONTINUATION after HEADERS with END_HEADERS is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(
      frame(T.HEADERS, F.END_HEADERS, 1, fields),
      frame(T.CONTINUATION, F.END_HEADERS, 1, block([['x-c', 'c']])),
    );
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.10/5 CONTINUATION after CONTINUATION with END_HEADERS is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(
      frame(T.HEADERS, 0, 1, fields.subarray(0, 20)),
      frame(T.CONTINUATION, F.END_HEADERS, 1, fields.subarray(20)),
      frame(T.CONTINUATION, F.END_HEADERS, 1, block([['x-c', 'c']])),
    );
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('6.10/6 CONTINUATION after DATA is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.HEADERS, F.END_HEADERS, 1, fields), frame(T.DATA, 0, 1, Buffer.from('x')));
    peer.send(frame(T.CONTINUATION, F.END_HEADERS, 1, block([['x-c', 'c']])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });
});
