// Conformance, RFC 9113 sections 3 and 4 (h2spec's list): the connection preface, the frame
// format, frame sizes, and header compression errors. Exact bytes in, exact reaction checked.

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { block, E, F, frame, PREFACE, RawPeer, requestFields, T, u32 } from '../raw-peer.js';
import { conformanceServer, expectConnectionError } from './conformance-server.js';

const server = conformanceServer();

describe('RFC 9113 §3.4 HTTP/2 connection preface', () => {
  it('3.4/1 answers the client preface with SETTINGS', async () => {
    const peer = await server.peer();
    assert.ok(peer.frames.some((f) => f.type === T.SETTINGS && f.flags === 0 && f.streamId === 0));
  });

  it('3.4/2 an invalid preface is a connection error PROTOCOL_ERROR', async () => {
    const socket = net.connect(server.port(), '127.0.0.1');
    const peer = new RawPeer(socket);
    await new Promise((r) => socket.once('connect', r));
    peer.send(Buffer.from('invalid connection preface\r\n\r\n'));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('3.4/3 a first frame other than SETTINGS is a connection error PROTOCOL_ERROR', async () => {
    const socket = net.connect(server.port(), '127.0.0.1');
    const peer = new RawPeer(socket);
    await new Promise((r) => socket.once('connect', r));
    peer.send(PREFACE, frame(T.PING, 0, 0, Buffer.alloc(8)));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });
});

describe('RFC 9113 §4.1 frame format', () => {
  it('4.1/1 ignores a frame of unknown type', async () => {
    const peer = await server.peer();
    peer.send(frame(0x16, 0, 0, Buffer.from('unknown')));
    assert.ok(await peer.alive());
  });

  it('4.1/2 ignores undefined flags', async () => {
    const peer = await server.peer();
    const payload = Buffer.alloc(8, 7);
    peer.send(frame(T.PING, 0x16, 0, payload));
    const ack = await peer.next((f) => f.type === T.PING && f.flags === F.ACK && f.payload.equals(payload));
    assert.ok(ack, 'no PING ACK');
  });

  it('4.1/3 ignores the reserved bit of the stream identifier', async () => {
    const peer = await server.peer();
    const payload = Buffer.alloc(8, 9);
    peer.send(frame(T.PING, 0, 0x80000000, payload));
    assert.ok(await peer.next((f) => f.type === T.PING && f.flags === F.ACK && f.payload.equals(payload)));
  });
});

describe('RFC 9113 §4.2 frame size', () => {
  it('4.2/1 accepts DATA of 2^14 octets', async () => {
    const peer = await server.peer();
    peer.request(1, Buffer.alloc(16_384, 1));
    assert.ok(await peer.next((f) => f.type === T.HEADERS && f.streamId === 1), 'no response');
  });

  it('4.2/2 DATA over SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields(), F.END_HEADERS);
    peer.send(frame(T.DATA, F.END_STREAM, 1, Buffer.alloc(16_385)));
    await expectConnectionError(peer, E.FRAME_SIZE_ERROR);
  });

  it('4.2/3 HEADERS over SETTINGS_MAX_FRAME_SIZE is a connection error FRAME_SIZE_ERROR', async () => {
    const peer = await server.peer();
    const fields = [
      ...requestFields(),
      ...Array.from({ length: 5 }, (_, i) => [`x-${i}`, 'x'.repeat(4000)] as [string, string]),
    ];
    peer.send(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, block(fields)));
    await expectConnectionError(peer, E.FRAME_SIZE_ERROR);
  });

  it('4.2/4 a frame header announcing 2^24 - 1 octets ends the connection before its payload', async () => {
    const peer = await server.peer();
    const header = frame(T.DATA, 0, 1).subarray(0, 9);
    header.writeUIntBE(0xffffff, 0, 3);
    peer.send(header);
    await expectConnectionError(peer, E.FRAME_SIZE_ERROR);
  });
});

describe('RFC 9113 §4.3 header compression', () => {
  it('4.3/1 an invalid header block fragment is a connection error COMPRESSION_ERROR', async () => {
    const peer = await server.peer();
    // A literal whose string length runs past the end of the block.
    peer.send(
      frame(
        T.HEADERS,
        F.END_HEADERS | F.END_STREAM,
        1,
        Buffer.from([0x00, 0x85, 0xf2, 0xb2, 0x4a, 0x87, 0xff]),
      ),
    );
    await expectConnectionError(peer, E.COMPRESSION_ERROR);
  });

  it('4.3/2 PRIORITY inside a header block is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    const fields = block(requestFields());
    peer.send(frame(T.HEADERS, F.END_STREAM, 1, fields.subarray(0, 10)));
    peer.send(frame(T.PRIORITY, 0, 1, u32(0, 0).subarray(0, 5)));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });

  it('4.3/3 HEADERS on another stream inside a header block is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    const fields = block(requestFields());
    peer.send(frame(T.HEADERS, F.END_STREAM, 1, fields.subarray(0, 10)));
    peer.send(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 3, fields));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });
});
