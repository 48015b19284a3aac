// Defences, mounted as attacks on a server in its own process: a cap on concurrent streams, and
// rapid reset (CVE-2023-44487: streams opened and reset at once, counted per connection, ended
// with GOAWAY ENHANCE_YOUR_CALM). Each checks the server stays up, bounded in memory, and
// serving other connections.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { E, F, frame, RawPeer, requestFields, T, u32 } from '../raw-peer.js';
import { DefenceServer, MiB } from './defence-server.js';

describe('defences: streams', () => {
  let server: DefenceServer;
  before(async () => {
    server = await DefenceServer.start({ settings: { maxConcurrentStreams: 100 } });
  });
  after(() => server.stop());

  it('caps concurrent streams: 1,000 opened at once, 100 reach the handler, the rest are refused', async () => {
    const before = await server.stats();
    const peer = await RawPeer.connect(server.port);
    for (let i = 0; i < 1000; i++) peer.headers(1 + 2 * i, requestFields(), F.END_HEADERS);
    assert.ok(await peer.alive(10_000));
    const refused = peer.frames.filter(
      (f) => f.type === T.RST_STREAM && f.payload.readUInt32BE(0) === E.REFUSED_STREAM,
    );
    assert.equal(refused.length, 900);
    const during = await server.stats();
    assert.equal(during.requests - before.requests, 100);
    assert.equal(await server.request(), '5', 'another connection is served');
    assert.ok(
      during.heap - before.heap < 16 * MiB,
      `heap grew ${((during.heap - before.heap) / MiB).toFixed(1)} MiB`,
    );
    peer.close();
  });

  it('ends a rapid-reset connection with GOAWAY ENHANCE_YOUR_CALM (CVE-2023-44487)', async () => {
    const before = await server.stats();
    const peer = await RawPeer.connect(server.port);
    const pairs: Buffer[] = [];
    for (let i = 0; i < 5000; i++) {
      const id = 1 + 2 * i;
      pairs.push(frame(T.HEADERS, F.END_HEADERS, id, Buffer.from([0x83, 0x86, 0x84, 0x41, 0x01, 0x61])));
      pairs.push(frame(T.RST_STREAM, 0, id, u32(E.CANCEL)));
    }
    peer.send(...pairs);
    const end = await peer.end(10_000);
    assert.equal(end.goaway?.code, E.ENHANCE_YOUR_CALM, end.goaway?.debug);
    assert.match(end.goaway!.debug, /rapid reset/);
    const after = await server.stats();
    assert.ok(
      after.requests - before.requests <= 1100,
      `${after.requests - before.requests} streams reached the handler`,
    );
    assert.ok(server.alive);
    assert.equal(await server.request(), '5');
    assert.ok(
      after.heap - before.heap < 16 * MiB,
      `heap grew ${((after.heap - before.heap) / MiB).toFixed(1)} MiB`,
    );
  });

  it('counts refusals too: a client that keeps opening streams past the cap is ended', async () => {
    const peer = await RawPeer.connect(server.port);
    const frames: Buffer[] = [];
    for (let i = 0; i < 3000; i++)
      frames.push(
        frame(T.HEADERS, F.END_HEADERS, 1 + 2 * i, Buffer.from([0x83, 0x86, 0x84, 0x41, 0x01, 0x61])),
      );
    peer.send(...frames);
    const end = await peer.end(10_000);
    assert.equal(end.goaway?.code, E.ENHANCE_YOUR_CALM);
    assert.equal(await server.request(), '5');
  });
});
