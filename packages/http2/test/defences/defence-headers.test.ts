// Defences against header attacks, mounted on a server in its own process: CONTINUATION floods
// (CVE-2024-27316), HPACK bombs (the header-list size enforced while decoding), and oversized
// frames. Each checks the server stays up, bounded in memory, and serving other connections.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { block, E, F, frame, indexedLiteral, RawPeer, requestFields, T } from '../raw-peer.js';
import { DefenceServer, MiB } from './defence-server.js';

describe('defences: header blocks and frames', () => {
  let server: DefenceServer;
  before(async () => {
    server = await DefenceServer.start();
  });
  after(() => server.stop());

  const grew = (a: { heap: number }, b: { heap: number }) =>
    `heap grew ${((b.heap - a.heap) / MiB).toFixed(1)} MiB`;

  it('ends a CONTINUATION flood with ENHANCE_YOUR_CALM before it holds much (CVE-2024-27316)', async () => {
    const before = await server.stats();
    const peers = await Promise.all(Array.from({ length: 20 }, () => RawPeer.connect(server.port)));
    for (const peer of peers) {
      peer.send(frame(T.HEADERS, F.END_STREAM, 1, block(requestFields())));
      const filler = frame(T.CONTINUATION, 0, 1, Buffer.alloc(16_000, 0x40));
      for (let i = 0; i < 200; i++) peer.send(filler);
    }
    for (const peer of peers) {
      const end = await peer.end(10_000);
      assert.equal(end.goaway?.code, E.ENHANCE_YOUR_CALM, end.goaway?.debug);
    }
    const after = await server.stats();
    assert.ok(after.heap - before.heap < 16 * MiB, grew(before, after));
    assert.equal(await server.request(), '5');
  });

  it('ends a flood of empty CONTINUATION frames', async () => {
    const peer = await RawPeer.connect(server.port);
    peer.send(frame(T.HEADERS, F.END_STREAM, 1, block(requestFields())));
    const empty = frame(T.CONTINUATION, 0, 1);
    peer.send(...Array.from({ length: 10_000 }, () => empty));
    assert.equal((await peer.end()).goaway?.code, E.ENHANCE_YOUR_CALM);
    assert.equal(await server.request(), '5');
  });

  it('refuses an HPACK bomb while decoding it (431), and the connection goes on', async () => {
    const before = await server.stats();
    const peer = await RawPeer.connect(server.port);
    // A 4,000-byte entry enters the table, then one 16 KB block references it 16,000 times:
    // 64 MB of header list if it were built.
    peer.send(
      frame(
        T.HEADERS,
        F.END_HEADERS | F.END_STREAM,
        1,
        Buffer.concat([block(requestFields()), indexedLiteral('x-bomb', 'a'.repeat(4000))]),
      ),
    );
    await peer.next((f) => f.type === T.HEADERS && f.streamId === 1);
    const bomb = Buffer.concat([block(requestFields()), Buffer.alloc(16_000, 0xbe)]);
    peer.send(
      frame(T.HEADERS, F.END_STREAM, 3, bomb.subarray(0, 16_000)),
      frame(T.CONTINUATION, F.END_HEADERS, 3, bomb.subarray(16_000)),
    );
    const response = await peer.next((f) => f.type === T.HEADERS && f.streamId === 3);
    assert.ok(response, 'no answer to the bomb');
    assert.equal(response.payload.toString('latin1').includes('431'), true, 'a 431 status');
    assert.ok(await peer.alive());
    const after = await server.stats();
    assert.ok(after.heap - before.heap < 8 * MiB, grew(before, after));
    peer.close();
  });

  it('ends a connection that announces a frame over SETTINGS_MAX_FRAME_SIZE without reading it', async () => {
    const before = await server.stats();
    const peers = await Promise.all(Array.from({ length: 20 }, () => RawPeer.connect(server.port)));
    for (const peer of peers) {
      const header = frame(T.DATA, 0, 1).subarray(0, 9);
      header.writeUIntBE(0xffffff, 0, 3);
      peer.send(header, Buffer.alloc(256 * 1024));
    }
    for (const peer of peers) assert.equal((await peer.end()).goaway?.code, E.FRAME_SIZE_ERROR);
    const after = await server.stats();
    assert.ok(after.heap - before.heap < 8 * MiB, grew(before, after));
    assert.equal(await server.request(), '5');
  });
});
