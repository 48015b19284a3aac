// ADS server, delta (incremental) xDS: subscribe/unsubscribe, removed resources,
// initial_resource_versions, NACKs (with two pushes outstanding), make-before-break clusters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLUSTER_TYPE_URL as CDS, ROUTE_CONFIGURATION_TYPE_URL as RDS } from '@shoal/xds';
import { deltaRequest, deltaStream } from '../../test/ads-test-client.js';
import { node, servedOnLoopback, snapshotOf, weightedInputs, weights } from '../../test/ads-test-fixtures.js';
import { fqdn } from '../../test/bookinfo-fixture.js';
import { SnapshotCache } from '../snapshot/snapshot-cache.js';
import { AdsServer } from './ads-server.js';

const withWeights = weightedInputs();

describe('ADS server: delta', () => {
  const cache = new SnapshotCache(snapshotOf(withWeights(80, 20)));
  const ads = new AdsServer({ cache });
  const conn = servedOnLoopback(ads);

  it('subscribe, ACK, changes only, unknown names reported removed, unsubscribe', async () => {
    const s = deltaStream(conn.client);
    s.send(deltaRequest({ node, typeUrl: RDS, resourceNamesSubscribe: ['reviews:9080', 'nosuch:1'] }));
    const first = await s.recv();
    assert.deepEqual(
      first.resources.map((r) => r.name),
      ['reviews:9080'],
    );
    assert.deepEqual(first.removedResources, ['nosuch:1']);
    assert.notEqual(first.resources[0]?.version, '');
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: first.nonce }));
    await s.expectNone();
    assert.equal(ads.clients()[0]?.types.RDS?.state, 'SYNCED');

    s.send(deltaRequest({ typeUrl: RDS, resourceNamesSubscribe: ['ratings:9080'] }));
    const added = await s.recv();
    assert.deepEqual(
      added.resources.map((r) => r.name),
      ['ratings:9080'],
      'only the new name is sent',
    );
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: added.nonce }));

    cache.setSnapshot(snapshotOf(withWeights(60, 40)));
    const changed = await s.recv();
    assert.deepEqual(
      changed.resources.map((r) => r.name),
      ['reviews:9080'],
    );
    assert.deepEqual(weights(changed.resources[0]!.resource), [60, 40]);
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: changed.nonce }));

    s.send(deltaRequest({ typeUrl: RDS, resourceNamesUnsubscribe: ['reviews:9080'] }));
    await s.expectNone();
    cache.setSnapshot(snapshotOf(withWeights(30, 70)));
    await s.expectNone(); // no longer subscribed
    s.close();
  });

  it('removed_resources when a resource goes away; initial_resource_versions skip what the client has', async () => {
    const s = deltaStream(conn.client);
    s.send(deltaRequest({ node, typeUrl: CDS, resourceNamesSubscribe: ['*'] }));
    const all = await s.recv();
    const versions = Object.fromEntries(all.resources.map((r) => [r.name, r.version]));
    s.send(deltaRequest({ typeUrl: CDS, responseNonce: all.nonce }));
    const next = withWeights(30, 70);
    cache.setSnapshot(
      snapshotOf({ ...next, services: next.services.filter((x) => x.hostname !== fqdn('details')) }),
    );
    const removal = await s.recv();
    assert.deepEqual(removal.resources, []);
    assert.deepEqual(removal.removedResources.sort(), [
      `outbound|9080|v1|${fqdn('details')}`,
      `outbound|9080|v2|${fqdn('details')}`,
      `outbound|9080||${fqdn('details')}`,
    ]);
    s.close();

    cache.setSnapshot(snapshotOf(withWeights(30, 70)));
    const again = deltaStream(conn.client);
    again.send(
      deltaRequest({ node, typeUrl: CDS, resourceNamesSubscribe: ['*'], initialResourceVersions: versions }),
    );
    const resumed = await again.recv();
    assert.deepEqual(resumed.resources, [], 'the client already has every version');
    again.close();
  });

  it('a NACKed resource version is not resent; the next change is', async () => {
    const s = deltaStream(conn.client);
    s.send(deltaRequest({ node, typeUrl: RDS, resourceNamesSubscribe: ['reviews:9080'] }));
    const a = await s.recv();
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: a.nonce }));
    cache.setSnapshot(snapshotOf(withWeights(55, 45)));
    const b = await s.recv();
    s.send(
      deltaRequest({ typeUrl: RDS, responseNonce: b.nonce, errorDetail: { code: 3, message: 'bad route' } }),
    );
    await s.expectNone();
    const status = ads.clients().find((c) => c.types.RDS?.lastNack);
    assert.equal(status?.types.RDS?.lastNack?.message, 'bad route');
    assert.equal(status?.types.RDS?.state, 'NACKED');
    cache.setSnapshot(snapshotOf(withWeights(55, 45)));
    await s.expectNone();
    cache.setSnapshot(snapshotOf(withWeights(45, 55)));
    const c = await s.recv();
    assert.deepEqual(weights(c.resources[0]!.resource), [45, 55]);
    s.close();
  });

  /** Subscribes to the reviews route, ACKs it, then gets two pushes left unanswered. */
  async function twoOutstanding(s: ReturnType<typeof deltaStream>, w1: number, w2: number) {
    cache.setSnapshot(snapshotOf(withWeights(80, 20)));
    s.send(deltaRequest({ node, typeUrl: RDS, resourceNamesSubscribe: ['reviews:9080'] }));
    const a = await s.recv();
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: a.nonce }));
    await s.expectNone();
    cache.setSnapshot(snapshotOf(withWeights(w1, 100 - w1)));
    const b = await s.recv();
    cache.setSnapshot(snapshotOf(withWeights(w2, 100 - w2)));
    const c = await s.recv();
    assert.deepEqual(weights(c.resources[0]!.resource), [w2, 100 - w2]);
    return { a, b, c };
  }

  /** The version of the reviews route the server believes the client holds. */
  function heldRouteVersion(): string | undefined {
    return ads.clientConfig(node.id)[0]?.resources.get(RDS)?.get('reviews:9080')?.version;
  }

  it('two pushes outstanding, the first NACKed and the second ACKed: the client holds the second', async () => {
    const s = deltaStream(conn.client);
    const { a, b, c } = await twoOutstanding(s, 70, 60);
    // A client answers in order: it rejects b (keeping a), then applies c.
    s.send(
      deltaRequest({ typeUrl: RDS, responseNonce: b.nonce, errorDetail: { code: 3, message: 'bad b' } }),
    );
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: c.nonce }));
    await s.expectNone();
    assert.equal(heldRouteVersion(), c.resources[0]?.version, 'the ACKed push is what the client holds');
    assert.equal(ads.clientConfig(node.id)[0]?.status.types.RDS?.state, 'SYNCED');
    // Back to a's route: the client holds c's, so a's must be sent again.
    cache.setSnapshot(snapshotOf(withWeights(80, 20)));
    const back = await s.recv();
    assert.equal(back.resources[0]?.version, a.resources[0]?.version);
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: back.nonce }));
    // b's version was the one rejected: never resent.
    cache.setSnapshot(snapshotOf(withWeights(70, 30)));
    await s.expectNone();
    assert.notEqual(b.resources[0]?.version, c.resources[0]?.version);
    s.close();
  });

  it('two pushes outstanding, the first ACKed and the second NACKed: the client holds the first', async () => {
    const s = deltaStream(conn.client);
    const { b, c } = await twoOutstanding(s, 65, 55);
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: b.nonce }));
    s.send(
      deltaRequest({ typeUrl: RDS, responseNonce: c.nonce, errorDetail: { code: 3, message: 'bad c' } }),
    );
    await s.expectNone();
    assert.equal(heldRouteVersion(), b.resources[0]?.version);
    cache.setSnapshot(snapshotOf(withWeights(65, 35))); // what the client holds: nothing to send
    await s.expectNone();
    cache.setSnapshot(snapshotOf(withWeights(55, 45))); // the rejected version: never resent
    await s.expectNone();
    cache.setSnapshot(snapshotOf(withWeights(50, 50)));
    const next = await s.recv();
    assert.deepEqual(weights(next.resources[0]!.resource), [50, 50]);
    s.close();
  });

  it('two pushes outstanding, both NACKed: the client keeps what it ACKed before', async () => {
    const s = deltaStream(conn.client);
    const { a, b, c } = await twoOutstanding(s, 75, 45);
    s.send(
      deltaRequest({ typeUrl: RDS, responseNonce: b.nonce, errorDetail: { code: 3, message: 'bad b' } }),
    );
    s.send(
      deltaRequest({ typeUrl: RDS, responseNonce: c.nonce, errorDetail: { code: 3, message: 'bad c' } }),
    );
    await s.expectNone();
    assert.equal(heldRouteVersion(), a.resources[0]?.version);
    cache.setSnapshot(snapshotOf(withWeights(75, 25)));
    await s.expectNone(); // b's version was rejected
    cache.setSnapshot(snapshotOf(withWeights(45, 55)));
    await s.expectNone(); // so was c's
    cache.setSnapshot(snapshotOf(withWeights(35, 65)));
    assert.deepEqual(weights((await s.recv()).resources[0]!.resource), [35, 65]);
    s.close();
  });
});

describe('ADS server: delta make-before-break', () => {
  const cache = new SnapshotCache(snapshotOf(withWeights(80, 20)));
  const conn = servedOnLoopback(new AdsServer({ cache }));

  it('wildcard CDS keeps clusters the held routes use until routes without them are ACKed', async () => {
    const s = deltaStream(conn.client);
    s.send(deltaRequest({ node, typeUrl: RDS, resourceNamesSubscribe: ['reviews:9080'] }));
    s.send(deltaRequest({ typeUrl: CDS, resourceNamesSubscribe: ['*'] }));
    for (let i = 0; i < 2; i++) {
      const r = await s.recv();
      s.send(deltaRequest({ typeUrl: r.typeUrl, responseNonce: r.nonce }));
    }
    const next = withWeights(80, 20);
    cache.setSnapshot(
      snapshotOf({
        ...next,
        destinationRules: next.destinationRules.filter((d) => d.metadata.name !== 'reviews'),
      }),
    );
    const c = await s.recv();
    assert.equal(c.typeUrl, CDS);
    assert.ok(c.removedResources.includes(`outbound|9080|v3|${fqdn('reviews')}`));
    assert.ok(
      !c.removedResources.includes(`outbound|9080|v1|${fqdn('reviews')}`),
      'still used by the held route',
    );
    s.send(deltaRequest({ typeUrl: CDS, responseNonce: c.nonce }));
    await s.expectNone();
    cache.setSnapshot(snapshotOf({ ...next, destinationRules: [], virtualServices: [] }));
    const others = await s.recv(); // the other hosts' subsets go at once
    assert.equal(others.typeUrl, CDS);
    assert.ok(!others.removedResources.some((n) => n.includes('reviews')));
    s.send(deltaRequest({ typeUrl: CDS, responseNonce: others.nonce }));
    const route = await s.recv();
    assert.equal(route.typeUrl, RDS);
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: route.nonce }));
    const pruned = await s.recv();
    assert.equal(pruned.typeUrl, CDS);
    assert.deepEqual(pruned.removedResources.sort(), [
      `outbound|9080|v1|${fqdn('reviews')}`,
      `outbound|9080|v2|${fqdn('reviews')}`,
    ]);
    s.close();
  });
});
