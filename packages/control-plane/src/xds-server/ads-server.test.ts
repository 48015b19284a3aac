import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { Code, RpcError, Server } from '@shoal/rpc';
import {
  CLUSTER_TYPE_URL as CDS,
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS,
  envoy,
  LISTENER_TYPE_URL as LDS,
  ROUTE_CONFIGURATION_TYPE_URL as RDS,
} from '@shoal/xds';
import type { ConfigObject } from '../config/config-object.js';
import { bookinfoInput, fqdn } from '../translate/bookinfo-fixture.js';
import type { MeshInput } from '../translate/mesh-input.js';
import { AdsServer } from './ads-server.js';
import {
  type AdsClient,
  adsClient,
  deltaRequest,
  deltaStream,
  sotwAck,
  sotwRequest,
  sotwStream,
} from './ads-test-client.js';
import { SnapshotCache } from './snapshot-cache.js';

const DR = 'samples-bookinfo-networking-destination-rule-all.yaml';
const node = {
  id: 'sidecar~10.1.0.1~client.default~default.svc.cluster.local',
  metadata: { NAMESPACE: 'default' },
};

let version = 1;
function withWeights(v1: number, v2: number): MeshInput {
  const input = bookinfoInput([DR], { version: String(++version) });
  const vs: ConfigObject<'VirtualService'> = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'default' },
    spec: {
      hosts: ['reviews'],
      http: [
        {
          route: [
            { destination: { host: 'reviews', subset: 'v1' }, weight: v1 },
            { destination: { host: 'reviews', subset: 'v2' }, weight: v2 },
          ],
        },
      ],
    },
  };
  return { ...input, virtualServices: [vs] };
}

function weights(res: envoy.DiscoveryResponse | envoy.Resource['resource']): number[] {
  const any = res && 'resources' in res ? res.resources[0] : res;
  const rc = fromBinary(envoy.RouteConfigurationSchema, any!.value);
  const action = rc.virtualHosts[0]!.routes[0]!.action.value as envoy.RouteAction;
  return (action.clusterSpecifier.value as envoy.WeightedCluster).clusters.map((c) => c.weight ?? 0);
}

/** Serves `ads` on 127.0.0.1:0 for the enclosing suite, with one client connection to it. */
function servedOnLoopback(ads: AdsServer): { readonly client: AdsClient; readonly port: number } {
  const server = new Server();
  ads.register(server);
  let conn: { client: AdsClient; close: () => void } | undefined;
  let port = 0;
  before(async () => {
    port = (await server.listen(0)).port;
    conn = adsClient(port);
  });
  after(async () => {
    conn?.close();
    await server.close(500);
  });
  return {
    get client() {
      if (!conn) throw new Error('the suite has not started');
      return conn.client;
    },
    get port() {
      return port;
    },
  };
}

describe('ADS server: state of the world', () => {
  const cache = new SnapshotCache(withWeights(80, 20));
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
    cache.update(withWeights(50, 50));
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
    cache.update(withWeights(50, 50)); // same content, new input version: not resent
    await s.expectNone();
    cache.update(withWeights(70, 30));
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
    cache.update(withWeights(80, 20));
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
    cache.update(withWeights(10, 90));
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
    cache.update({
      ...next,
      destinationRules: next.destinationRules.map((d) => (d === dr ? withV4 : d)),
      virtualServices: [toV4],
    });
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
    cache.update(withWeights(80, 20));
    const s = sotwStream(conn.client);
    const ack = (r: envoy.DiscoveryResponse, names: string[]) => s.send(sotwAck(r.typeUrl, names, r));
    s.send(sotwRequest({ node, typeUrl: RDS, resourceNames: ['reviews:9080'] }));
    ack(await s.recv(), ['reviews:9080']);
    s.send(sotwRequest({ typeUrl: CDS }));
    ack(await s.recv(), []);
    // The reviews DestinationRule goes away: its subset clusters go too, but not before the route.
    const next = withWeights(80, 20);
    cache.update({
      ...next,
      destinationRules: next.destinationRules.filter((d) => d.metadata.name !== 'reviews'),
    });
    const c = await s.recv();
    assert.equal(c.typeUrl, CDS);
    const names = (res: envoy.DiscoveryResponse) =>
      res.resources.map((x) => fromBinary(envoy.ClusterSchema, x.value).name);
    assert.ok(names(c).includes(`outbound|9080|v1|${fqdn('reviews')}`), 'kept: the held route uses it');
    assert.ok(!names(c).includes(`outbound|9080|v3|${fqdn('reviews')}`), 'unreferenced subsets go at once');
    ack(c, []);
    await s.expectNone(); // the route itself is unchanged (it still names v1/v2)
    cache.update({ ...next, destinationRules: [], virtualServices: [] });
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
    cache.update(withWeights(80, 20));
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
    cache.update(withWeights(65, 35));
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

describe('ADS server: stream lifetime', () => {
  const cache = new SnapshotCache(withWeights(80, 20));
  const released: string[] = [];
  const ads = new AdsServer({
    cache,
    lease: (n) => () => {
      released.push(n.id);
    },
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

describe('ADS server: delta', () => {
  const cache = new SnapshotCache(withWeights(80, 20));
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

    cache.update(withWeights(60, 40));
    const changed = await s.recv();
    assert.deepEqual(
      changed.resources.map((r) => r.name),
      ['reviews:9080'],
    );
    assert.deepEqual(weights(changed.resources[0]!.resource), [60, 40]);
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: changed.nonce }));

    s.send(deltaRequest({ typeUrl: RDS, resourceNamesUnsubscribe: ['reviews:9080'] }));
    await s.expectNone();
    cache.update(withWeights(30, 70));
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
    cache.update({ ...next, services: next.services.filter((x) => x.hostname !== fqdn('details')) });
    const removal = await s.recv();
    assert.deepEqual(removal.resources, []);
    assert.deepEqual(removal.removedResources.sort(), [
      `outbound|9080|v1|${fqdn('details')}`,
      `outbound|9080|v2|${fqdn('details')}`,
      `outbound|9080||${fqdn('details')}`,
    ]);
    s.close();

    cache.update(withWeights(30, 70));
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
    cache.update(withWeights(55, 45));
    const b = await s.recv();
    s.send(
      deltaRequest({ typeUrl: RDS, responseNonce: b.nonce, errorDetail: { code: 3, message: 'bad route' } }),
    );
    await s.expectNone();
    const status = ads.clients().find((c) => c.types.RDS?.lastNack);
    assert.equal(status?.types.RDS?.lastNack?.message, 'bad route');
    assert.equal(status?.types.RDS?.state, 'NACKED');
    cache.update(withWeights(55, 45));
    await s.expectNone();
    cache.update(withWeights(45, 55));
    const c = await s.recv();
    assert.deepEqual(weights(c.resources[0]!.resource), [45, 55]);
    s.close();
  });

  /** Subscribes to the reviews route, ACKs it, then gets two pushes left unanswered. */
  async function twoOutstanding(s: ReturnType<typeof deltaStream>, w1: number, w2: number) {
    cache.update(withWeights(80, 20));
    s.send(deltaRequest({ node, typeUrl: RDS, resourceNamesSubscribe: ['reviews:9080'] }));
    const a = await s.recv();
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: a.nonce }));
    await s.expectNone();
    cache.update(withWeights(w1, 100 - w1));
    const b = await s.recv();
    cache.update(withWeights(w2, 100 - w2));
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
    cache.update(withWeights(80, 20));
    const back = await s.recv();
    assert.equal(back.resources[0]?.version, a.resources[0]?.version);
    s.send(deltaRequest({ typeUrl: RDS, responseNonce: back.nonce }));
    // b's version was the one rejected: never resent.
    cache.update(withWeights(70, 30));
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
    cache.update(withWeights(65, 35)); // what the client holds: nothing to send
    await s.expectNone();
    cache.update(withWeights(55, 45)); // the rejected version: never resent
    await s.expectNone();
    cache.update(withWeights(50, 50));
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
    cache.update(withWeights(75, 25));
    await s.expectNone(); // b's version was rejected
    cache.update(withWeights(45, 55));
    await s.expectNone(); // so was c's
    cache.update(withWeights(35, 65));
    assert.deepEqual(weights((await s.recv()).resources[0]!.resource), [35, 65]);
    s.close();
  });
});

describe('ADS server: delta make-before-break', () => {
  const cache = new SnapshotCache(withWeights(80, 20));
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
    cache.update({
      ...next,
      destinationRules: next.destinationRules.filter((d) => d.metadata.name !== 'reviews'),
    });
    const c = await s.recv();
    assert.equal(c.typeUrl, CDS);
    assert.ok(c.removedResources.includes(`outbound|9080|v3|${fqdn('reviews')}`));
    assert.ok(
      !c.removedResources.includes(`outbound|9080|v1|${fqdn('reviews')}`),
      'still used by the held route',
    );
    s.send(deltaRequest({ typeUrl: CDS, responseNonce: c.nonce }));
    await s.expectNone();
    cache.update({ ...next, destinationRules: [], virtualServices: [] });
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
