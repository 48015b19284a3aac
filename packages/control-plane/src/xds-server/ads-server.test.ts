// ADS server, state of the world: ACK/NACK, stale nonces, wildcard and named subscriptions,
// push order and make-before-break, per-client pushes, the first request's node.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { Code, RpcError } from '@shoal/rpc';
import {
  CLUSTER_TYPE_URL as CDS,
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS,
  envoy,
  LISTENER_TYPE_URL as LDS,
  ROUTE_CONFIGURATION_TYPE_URL as RDS,
} from '@shoal/xds';
import { sotwAck, sotwRequest, sotwStream } from '../../test/ads-test-client.js';
import { node, servedOnLoopback, snapshotOf, weightedInputs, weights } from '../../test/ads-test-fixtures.js';
import { fqdn } from '../../test/bookinfo-fixture.js';
import type { ConfigObject } from '../config/config-object.js';
import { SnapshotCache } from '../snapshot/snapshot-cache.js';
import { AdsServer } from './ads-server.js';

const withWeights = weightedInputs();

describe('ADS server: state of the world', () => {
  const cache = new SnapshotCache(snapshotOf(withWeights(80, 20)));
  const ads = new AdsServer({ cache });
  const conn = servedOnLoopback(ads);

  it('answers a named LDS request, then an ACK settles it with no further response', async () => {
    const s = sotwStream(conn.client);
    s.send(sotwRequest({ node, typeUrl: LDS, resourceNames: ['reviews:9080'] }));
    const res = await s.recv();
    assert.equal(res.typeUrl, LDS);
    assert.equal(res.resources.length, 1);
    assert.equal(fromBinary(envoy.ListenerSchema, res.resources[0]!.value).name, 'reviews:9080');
    assert.notEqual(res.nonce, '');
    assert.match(res.versionInfo, /^\d+-/);
    s.send(sotwAck(LDS, ['reviews:9080'], res));
    await s.expectNone();
    const status = ads.clients().find((c) => c.nodeId === node.id);
    assert.equal(status?.types.LDS?.state, 'SYNCED');
    assert.equal(status?.types.LDS?.ackedVersion, res.versionInfo);
    assert.deepEqual(status?.types.LDS?.subscribed, ['reviews:9080']);
    s.close();
  });

  it('wildcard CDS (empty first request) gets every cluster; a later named request narrows it', async () => {
    const s = sotwStream(conn.client);
    s.send(sotwRequest({ node, typeUrl: CDS }));
    const all = await s.recv();
    const names = all.resources.map((r) => fromBinary(envoy.ClusterSchema, r.value).name);
    assert.ok(names.includes(`outbound|9080||${fqdn('reviews')}`));
    assert.ok(names.includes(`outbound|9080|v3|${fqdn('reviews')}`));
    assert.equal(names.length, 4 + 1 + 3 + 4 + 2, 'one default cluster per service plus every subset');
    s.send(sotwRequest({ typeUrl: CDS, versionInfo: all.versionInfo, responseNonce: all.nonce }));
    await s.expectNone();
    s.send(sotwAck(CDS, ['nope|1|x|y'], all));
    const named = await s.recv();
    assert.equal(named.resources.length, 0, 'a name that does not exist is absent from the full set');
    s.send(sotwAck(CDS, [], named));
    const none = await s.recv();
    assert.equal(
      none.resources.length,
      0,
      'after naming resources, an empty list means none, not everything',
    );
    const status = ads
      .clients()
      .find((c) => c.types.CDS && !c.types.CDS.wildcard && c.types.CDS.sentNonce === none.nonce);
    assert.ok(status, 'no longer a wildcard subscription');
    s.close();
  });

  it('NACK: recorded with its message, the same version never resent, a new one is', async () => {
    const s = sotwStream(conn.client);
    s.send(sotwRequest({ node, typeUrl: RDS, resourceNames: ['reviews:9080'] }));
    const first = await s.recv();
    assert.deepEqual(weights(first), [80, 20]);
    s.send(sotwAck(RDS, ['reviews:9080'], first));
    cache.setSnapshot(snapshotOf(withWeights(50, 50)));
    const second = await s.recv();
    assert.deepEqual(weights(second), [50, 50]);
    s.send(
      sotwRequest({
        typeUrl: RDS,
        resourceNames: ['reviews:9080'],
        versionInfo: first.versionInfo,
        responseNonce: second.nonce,
        errorDetail: { code: 3, message: 'virtual_hosts[0].routes[0]: rejected for the test' },
      }),
    );
    await s.expectNone();
    const status = ads.clients().find((c) => c.types.RDS?.lastNack)?.types.RDS;
    assert.equal(status?.state, 'NACKED');
    assert.equal(status?.lastNack?.message, 'virtual_hosts[0].routes[0]: rejected for the test');
    assert.equal(status?.lastNack?.version, second.versionInfo);
    cache.setSnapshot(snapshotOf(withWeights(50, 50))); // same content, new input version: not resent
    await s.expectNone();
    cache.setSnapshot(snapshotOf(withWeights(70, 30)));
    const third = await s.recv();
    assert.deepEqual(weights(third), [70, 30]);
    s.close();
  });

  it('ignores requests with a stale nonce', async () => {
    const s = sotwStream(conn.client);
    s.send(sotwRequest({ node, typeUrl: LDS, resourceNames: ['reviews:9080'] }));
    const a = await s.recv();
    s.send(
      sotwRequest({ typeUrl: LDS, resourceNames: ['reviews:9080', 'ratings:9080'], responseNonce: a.nonce }),
    );
    const b = await s.recv();
    assert.equal(b.resources.length, 2);
    s.send(sotwRequest({ typeUrl: LDS, resourceNames: ['details:9080'], responseNonce: a.nonce }));
    await s.expectNone();
    const status = ads.clients().find((c) => c.types.LDS?.staleRequests)?.types.LDS;
    assert.equal(status?.staleRequests, 1);
    assert.deepEqual(status?.subscribed, ['ratings:9080', 'reviews:9080']);
    s.close();
  });

  it('pushes only the types that changed for this client, clusters before routes', async () => {
    cache.setSnapshot(snapshotOf(withWeights(80, 20)));
    const s = sotwStream(conn.client);
    const ack = (r: envoy.DiscoveryResponse, names: string[]) => s.send(sotwAck(r.typeUrl, names, r));
    const cluster = `outbound|9080|v1|${fqdn('reviews')}`;
    for (const [typeUrl, names] of [
      [LDS, ['reviews:9080']],
      [RDS, ['reviews:9080']],
      [CDS, []],
      [EDS, [cluster]],
    ] as const) {
      s.send(sotwRequest({ node, typeUrl, resourceNames: [...names] }));
      ack(await s.recv(), [...names]);
    }
    await s.expectNone();
    cache.setSnapshot(snapshotOf(withWeights(10, 90)));
    const pushed = await s.recv();
    assert.equal(pushed.typeUrl, RDS, 'only the route changed');
    assert.deepEqual(weights(pushed), [10, 90]);
    ack(pushed, ['reviews:9080']);
    await s.expectNone();

    // A new subset and a route to it: the wildcard CDS push comes first, then the route.
    const next = withWeights(10, 90);
    const dr = next.destinationRules.find((d) => d.metadata.name === 'reviews')!;
    const withV4: ConfigObject<'DestinationRule'> = {
      ...dr,
      spec: { ...dr.spec, subsets: [...(dr.spec.subsets ?? []), { name: 'v4', labels: { version: 'v4' } }] },
    };
    const vs = next.virtualServices[0]!;
    const toV4: ConfigObject<'VirtualService'> = {
      ...vs,
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v4' } }] }] },
    };
    cache.setSnapshot(
      snapshotOf({
        ...next,
        destinationRules: next.destinationRules.map((d) => (d === dr ? withV4 : d)),
        virtualServices: [toV4],
      }),
    );
    const c = await s.recv();
    assert.equal(c.typeUrl, CDS);
    const clusterNames = c.resources.map((r) => fromBinary(envoy.ClusterSchema, r.value).name);
    assert.ok(clusterNames.includes(`outbound|9080|v4|${fqdn('reviews')}`));
    assert.ok(
      clusterNames.includes(`outbound|9080|v2|${fqdn('reviews')}`),
      'still referenced by the routes held',
    );
    ack(c, []);
    const r = await s.recv();
    assert.equal(r.typeUrl, RDS);
    ack(r, ['reviews:9080']);
    s.close();
  });

  it('keeps clusters the held routes use until the client ACKs routes without them', async () => {
    cache.setSnapshot(snapshotOf(withWeights(80, 20)));
    const s = sotwStream(conn.client);
    const ack = (r: envoy.DiscoveryResponse, names: string[]) => s.send(sotwAck(r.typeUrl, names, r));
    s.send(sotwRequest({ node, typeUrl: RDS, resourceNames: ['reviews:9080'] }));
    ack(await s.recv(), ['reviews:9080']);
    s.send(sotwRequest({ typeUrl: CDS }));
    ack(await s.recv(), []);
    // The reviews DestinationRule goes away: its subset clusters go too, but not before the route.
    const next = withWeights(80, 20);
    cache.setSnapshot(
      snapshotOf({
        ...next,
        destinationRules: next.destinationRules.filter((d) => d.metadata.name !== 'reviews'),
      }),
    );
    const c = await s.recv();
    assert.equal(c.typeUrl, CDS);
    const names = (res: envoy.DiscoveryResponse) =>
      res.resources.map((x) => fromBinary(envoy.ClusterSchema, x.value).name);
    assert.ok(names(c).includes(`outbound|9080|v1|${fqdn('reviews')}`), 'kept: the held route uses it');
    assert.ok(!names(c).includes(`outbound|9080|v3|${fqdn('reviews')}`), 'unreferenced subsets go at once');
    ack(c, []);
    await s.expectNone(); // the route itself is unchanged (it still names v1/v2)
    cache.setSnapshot(snapshotOf({ ...next, destinationRules: [], virtualServices: [] }));
    const after1 = await s.recv();
    assert.equal(after1.typeUrl, CDS);
    ack(after1, []);
    const route = await s.recv();
    assert.equal(route.typeUrl, RDS);
    ack(route, ['reviews:9080']);
    const pruned = await s.recv();
    assert.equal(pruned.typeUrl, CDS);
    assert.ok(!names(pruned).some((n) => n.includes('|v1|')), 'dropped after the new routes were ACKed');
    s.close();
  });

  it('a change reaches only the clients whose resources it changes', async () => {
    cache.setSnapshot(snapshotOf(withWeights(80, 20)));
    const reviews = sotwStream(conn.client);
    const ratings = sotwStream(conn.client);
    for (const [s, name] of [
      [reviews, 'reviews:9080'],
      [ratings, 'ratings:9080'],
    ] as const) {
      s.send(sotwRequest({ node: { id: `for-${name}` }, typeUrl: RDS, resourceNames: [name] }));
      const r = await s.recv();
      s.send(sotwAck(RDS, [name], r));
    }
    cache.setSnapshot(snapshotOf(withWeights(65, 35)));
    assert.deepEqual(weights(await reviews.recv()), [65, 35]);
    await ratings.expectNone();
    reviews.close();
    ratings.close();
  });

  it('a stream whose first request has no node ends with INVALID_ARGUMENT', async () => {
    const s = sotwStream(conn.client);
    s.send(sotwRequest({ typeUrl: LDS, resourceNames: ['reviews:9080'] }));
    // The @shoal/rpc client reports a bidi call's status once its own request side is done.
    s.close();
    const err = await s.ended();
    assert.ok(err instanceof RpcError);
    assert.equal(err.code, Code.INVALID_ARGUMENT);
    assert.match(err.rawMessage, /node\.id/);
  });
});
