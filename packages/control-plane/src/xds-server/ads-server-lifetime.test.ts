// ADS server: a stream's session ends, and its lease is released, however the stream ends
// (client cancel, dropped connection, client done).
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { describe, it } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { envoy, LISTENER_TYPE_URL as LDS } from '@shoal/xds';
import { sotwAck, sotwRequest, sotwStream } from '../../test/ads-test-client.js';
import { node, servedOnLoopback, snapshotOf, weightedInputs } from '../../test/ads-test-fixtures.js';
import { SnapshotCache } from '../snapshot/snapshot-cache.js';
import { AdsServer } from './ads-server.js';

const withWeights = weightedInputs();

describe('ADS server: stream lifetime', () => {
  const cache = new SnapshotCache(snapshotOf(withWeights(80, 20)));
  const released: string[] = [];
  const ads = new AdsServer({
    cache,
    lease: (n) => ({
      release: () => {
        released.push(n.id);
      },
    }),
  });
  const conn = servedOnLoopback(ads);

  async function until(what: string, ok: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(ok(), what);
  }

  async function subscribed(s: ReturnType<typeof sotwStream>, id: string): Promise<void> {
    s.send(sotwRequest({ node: { ...node, id }, typeUrl: LDS, resourceNames: ['reviews:9080'] }));
    const res = await s.recv();
    s.send(sotwAck(LDS, ['reviews:9080'], res));
    await until('the stream is counted', () => ads.clients().some((c) => c.nodeId === id));
  }

  it('a stream the client cancels ends its session and releases its lease', async () => {
    const s = sotwStream(conn.client);
    await subscribed(s, 'cancelled');
    s.cancel();
    await until('the lease is released', () => released.includes('cancelled'));
    assert.equal(ads.streamCount, 0);
    assert.equal(cache.watcherCount, 0, 'the session no longer follows the cache');
  });

  it('a stream whose connection drops ends its session and releases its lease', async () => {
    // A raw HTTP/2 connection, so it can be torn down without any goodbye.
    const socket = net.connect(conn.port, '127.0.0.1');
    const session = http2.connect(`http://127.0.0.1:${conn.port}`, { createConnection: () => socket });
    session.on('error', () => {});
    const stream = session.request({
      ':method': 'POST',
      ':path': '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    stream.on('error', () => {});
    const req = sotwRequest({
      node: { ...node, id: 'dropped' },
      typeUrl: LDS,
      resourceNames: ['reviews:9080'],
    });
    const bytes = toBinary(envoy.DiscoveryRequestSchema, req);
    const frame = Buffer.alloc(5 + bytes.length);
    frame.writeUInt32BE(bytes.length, 1);
    frame.set(bytes, 5);
    stream.write(frame);
    await new Promise((resolve) => stream.once('data', resolve));
    assert.ok(ads.clients().some((c) => c.nodeId === 'dropped'));
    socket.destroy();
    await until('the lease is released', () => released.includes('dropped'));
    assert.equal(ads.streamCount, 0);
  });

  it('a stream the client ends completes with OK and releases its lease', async () => {
    const s = sotwStream(conn.client);
    await subscribed(s, 'finished');
    s.close();
    assert.equal(await s.ended(), undefined);
    await until('the lease is released', () => released.includes('finished'));
    assert.equal(ads.streamCount, 0);
  });
});
