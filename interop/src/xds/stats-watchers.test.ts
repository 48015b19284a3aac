import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata } from '@shoal/rpc';
import { LoadBalancerStatsResponse_MetadataType as MetadataType } from '../gen/grpc/testing/messages_pb.js';
import { StatsWatchers } from './stats-watchers.js';

describe('GetClientStats watchers', () => {
  it('watch the next num_rpcs calls only, by peer and by method', async () => {
    const watchers = new StatsWatchers();
    const pending = watchers.watch(3, 5000, []);
    const claimed = [watchers.claim(), watchers.claim(), watchers.claim(), watchers.claim()];
    assert.deepEqual(
      claimed.map((c) => c.length),
      [1, 1, 1, 0],
    );
    for (const w of claimed[0] ?? []) w.record({ type: 'UnaryCall', peer: 'a' });
    for (const w of claimed[1] ?? []) w.record({ type: 'EmptyCall', peer: 'b' });
    for (const w of claimed[2] ?? []) w.record({ type: 'UnaryCall', peer: undefined });
    const response = await pending;
    assert.deepEqual(response.rpcsByPeer, { a: 1, b: 1 });
    assert.equal(response.numFailures, 1);
    assert.deepEqual(response.rpcsByMethod, {
      UnaryCall: { rpcsByPeer: { a: 1 } },
      EmptyCall: { rpcsByPeer: { b: 1 } },
    });
  });

  it('answer at the timeout, counting calls that have not ended as failures', async () => {
    const watchers = new StatsWatchers();
    const pending = watchers.watch(4, 50, []);
    for (const w of watchers.claim()) w.record({ type: 'UnaryCall', peer: 'a' });
    watchers.claim(); // started, never ends
    const response = await pending;
    assert.deepEqual(response.rpcsByPeer, { a: 1 });
    assert.equal(response.numFailures, 3);
  });

  it('answer at once for num_rpcs 0, and when the request is cancelled', async () => {
    const watchers = new StatsWatchers();
    assert.deepEqual((await watchers.watch(0, 10_000, [])).rpcsByPeer, {});
    const controller = new AbortController();
    const pending = watchers.watch(10, 10_000, [], controller.signal);
    controller.abort();
    assert.equal((await pending).numFailures, 10);
    assert.deepEqual(watchers.claim(), []);
  });

  it('collect the requested metadata keys, case-insensitively, or all with *', async () => {
    const watchers = new StatsWatchers();
    const some = watchers.watch(1, 5000, ['Hostname', 'x-trailer']);
    const all = watchers.watch(1, 5000, ['*']);
    const header = new Metadata({ hostname: 'a', other: 'o' });
    const trailer = new Metadata({ 'x-trailer': 't' });
    for (const w of watchers.claim()) w.record({ type: 'UnaryCall', peer: 'a', header, trailer });
    assert.deepEqual((await some).metadatasByPeer, {
      a: {
        rpcMetadata: [
          {
            metadata: [
              { key: 'hostname', value: 'a', type: MetadataType.INITIAL },
              { key: 'x-trailer', value: 't', type: MetadataType.TRAILING },
            ],
          },
        ],
      },
    });
    const entries = (await all).metadatasByPeer?.a?.rpcMetadata?.[0]?.metadata ?? [];
    assert.deepEqual(
      entries.map((e) => e.key),
      ['hostname', 'other', 'x-trailer'],
    );
  });
});
