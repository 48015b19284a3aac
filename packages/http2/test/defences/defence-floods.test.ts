// Defences against floods of frames that cost work but carry no request, mounted on a server in
// its own process: SETTINGS, PING, empty DATA and WINDOW_UPDATE floods (CVE-2019-9512, -9515,
// -9518) end with GOAWAY ENHANCE_YOUR_CALM; window overflows with FLOW_CONTROL_ERROR. Each checks
// the server stays up, bounded in memory, and serving other connections.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { E, F, frame, RawPeer, requestFields, T, u32 } from '../raw-peer.js';
import { DefenceServer, MiB } from './defence-server.js';

describe('defences: floods', () => {
  let server: DefenceServer;
  before(async () => {
    server = await DefenceServer.start();
  });
  after(() => server.stop());

  async function flood(frames: Buffer[], setup?: (peer: RawPeer) => void): Promise<void> {
    const before = await server.stats();
    const peer = await RawPeer.connect(server.port);
    setup?.(peer);
    peer.send(...frames);
    const end = await peer.end(10_000);
    assert.equal(end.goaway?.code, E.ENHANCE_YOUR_CALM, end.goaway?.debug);
    const after = await server.stats();
    assert.ok(server.alive);
    assert.equal(await server.request(), '5');
    assert.ok(
      after.heap - before.heap < 8 * MiB,
      `heap grew ${((after.heap - before.heap) / MiB).toFixed(1)} MiB`,
    );
  }

  it('SETTINGS flood', () => flood(Array.from({ length: 10_000 }, () => frame(T.SETTINGS, 0, 0))));

  it('PING flood', () => flood(Array.from({ length: 10_000 }, (_, i) => frame(T.PING, 0, 0, u32(i, i)))));

  it('PING flood from a peer that reads nothing: closed, and the answers do not pile up', async () => {
    const before = await server.stats();
    const peer = await RawPeer.connect(server.port);
    peer.socket.pause();
    peer.send(...Array.from({ length: 10_000 }, (_, i) => frame(T.PING, 0, 0, u32(i, i))));
    // This connection by its port: the earlier tests' connections may still be closing (the
    // server stops reading one it ended, so it sees no FIN and waits out its 1 s end timer).
    const port = peer.socket.localPort;
    const after = await server.settle((s) => !s.peerPorts.includes(port!));
    assert.ok(!after.peerPorts.includes(port!), 'the flooding connection is still open');
    assert.ok(
      after.heap - before.heap < 8 * MiB,
      `heap grew ${((after.heap - before.heap) / MiB).toFixed(1)} MiB`,
    );
    assert.equal(await server.request(), '5');
    peer.close();
  });

  it('empty DATA flood', () =>
    flood(
      Array.from({ length: 20_000 }, () => frame(T.DATA, 0, 1)),
      (peer) => peer.headers(1, requestFields(), F.END_HEADERS),
    ));

  it('WINDOW_UPDATE flood', () =>
    flood(Array.from({ length: 20_000 }, () => frame(T.WINDOW_UPDATE, 0, 0, u32(1)))));

  it('PRIORITY flood', () =>
    flood(
      Array.from({ length: 20_000 }, (_, i) => frame(T.PRIORITY, 0, 1 + 2 * i, u32(0, 0).subarray(0, 5))),
    ));

  it('window overflow: the connection window past 2^31 - 1 is FLOW_CONTROL_ERROR, a stream window resets the stream', async () => {
    const peer = await RawPeer.connect(server.port);
    peer.headers(1, requestFields(), F.END_HEADERS);
    peer.send(frame(T.WINDOW_UPDATE, 0, 1, u32(2 ** 31 - 1)), frame(T.WINDOW_UPDATE, 0, 1, u32(2 ** 31 - 1)));
    assert.equal(await peer.rstCode(1), E.FLOW_CONTROL_ERROR);
    peer.send(frame(T.WINDOW_UPDATE, 0, 0, u32(2 ** 31 - 1)));
    assert.equal((await peer.end()).goaway?.code, E.FLOW_CONTROL_ERROR);
    assert.equal(await server.request(), '5');
  });

  it('DATA past the window of a stream that is not read is FLOW_CONTROL_ERROR, and holds no more than the window', async () => {
    const before = await server.stats();
    const peers = await Promise.all(Array.from({ length: 10 }, () => RawPeer.connect(server.port)));
    for (const peer of peers) {
      peer.headers(1, requestFields('/hold'), F.END_HEADERS);
      // 256 KiB is the stream's window; the frames past it break the flow-control contract.
      const chunk = frame(T.DATA, 0, 1, Buffer.alloc(16_384));
      peer.send(...Array.from({ length: 40 }, () => chunk));
    }
    for (const peer of peers) assert.equal(await peer.rstCode(1, 5000), E.FLOW_CONTROL_ERROR);
    // A PING answered means the server has read everything sent before it.
    for (const peer of peers) assert.ok(await peer.alive());
    const after = await server.stats();
    assert.ok(
      after.heap - before.heap < 8 * MiB,
      `heap grew ${((after.heap - before.heap) / MiB).toFixed(1)} MiB`,
    );
    assert.equal(await server.request(), '5');
    for (const peer of peers) peer.close();
  });
});
