// Defences against slow peers, mounted on a server in its own process with short timeouts:
// slowloris (no preface, a frame dribbled a byte at a time, a header block never finished,
// hundreds at once), slow readers (a response nobody reads), and idle connections. Each checks
// the server stays up, bounded in memory, and serving other connections.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { block, E, F, frame, RawPeer, requestFields, settingsPayload, T, u32 } from '../raw-peer.js';
import { DefenceServer, MiB } from './defence-server.js';

describe('defences: slow peers', () => {
  let server: DefenceServer;
  before(async () => {
    server = await DefenceServer.start({
      limits: { handshakeTimeoutMs: 300, frameTimeoutMs: 400, sendStallTimeoutMs: 500, idleTimeoutMs: 1500 },
    });
  });
  after(() => server.stop());

  it('closes a connection that never sends the preface', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    const peer = new RawPeer(socket);
    const started = Date.now();
    const end = await peer.end(5000);
    assert.ok(end.closed);
    assert.ok(Date.now() - started < 2000, `closed after ${Date.now() - started} ms`);
  });

  it('closes a connection that dribbles a frame a byte at a time (slowloris)', async () => {
    const peer = await RawPeer.connect(server.port);
    const headers = frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, block(requestFields()));
    let at = 0;
    const timer = setInterval(() => peer.send(headers.subarray(at, ++at)), 100);
    const end = await peer.end(5000);
    clearInterval(timer);
    assert.equal(end.goaway?.code, E.ENHANCE_YOUR_CALM);
    assert.match(end.goaway!.debug, /incomplete/);
  });

  it('closes a connection whose header block never ends', async () => {
    const peer = await RawPeer.connect(server.port);
    peer.send(frame(T.HEADERS, F.END_STREAM, 1, block(requestFields())));
    const end = await peer.end(5000);
    assert.equal(end.goaway?.code, E.ENHANCE_YOUR_CALM);
  });

  it('sheds 300 slowloris connections at once and serves others meanwhile', async () => {
    const before = await server.stats();
    const sockets = Array.from({ length: 300 }, () => {
      const socket = net.connect(server.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.resume(); // reads (and drops) what the server sends, so the close is seen
      socket.write(Buffer.from('PRI * HTTP/2.0\r\n')); // half a preface, then silence
      return socket;
    });
    assert.equal(await server.request(), '5');
    await Promise.all(sockets.map((s) => new Promise((r) => (s.destroyed ? r(null) : s.once('close', r)))));
    const after = await server.settle();
    assert.equal(after.connections, 0);
    assert.ok(
      after.heap - before.heap < 8 * MiB,
      `heap grew ${((after.heap - before.heap) / MiB).toFixed(1)} MiB`,
    );
  });

  it('closes a connection that reads nothing of a large response (slow read)', async () => {
    const before = await server.stats();
    const peer = await RawPeer.connect(server.port, [[4, 2 ** 31 - 1]]);
    peer.send(frame(T.WINDOW_UPDATE, 0, 0, u32(2 ** 31 - 1 - 65_535)));
    peer.request(1, undefined, requestFields('/big'));
    await peer.next((f) => f.type === T.HEADERS && f.streamId === 1);
    peer.socket.pause(); // and never read again
    const after = await server.settle();
    assert.equal(after.connections, 0, 'the stalled connection is still open');
    assert.ok(
      after.heap - before.heap < 8 * MiB,
      `heap grew ${((after.heap - before.heap) / MiB).toFixed(1)} MiB`,
    );
    assert.equal(await server.request(), '5');
    peer.close();
  });

  it('closes an idle connection with GOAWAY NO_ERROR after idleTimeoutMs', async () => {
    const peer = await RawPeer.connect(server.port, [[3, 10]]);
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload([])));
    const end = await peer.end(5000);
    assert.equal(end.goaway?.code, E.NO_ERROR);
    assert.ok(end.closed);
  });
});
