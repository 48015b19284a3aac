// Replicas on etcd reading Dubbo's ZooKeeper (`shoal cp --store etcd://… --registry zookeeper://…`,
// issue 15), end to end with the real servers: a 3-member etcd cluster and a ZooKeeper, both
// started here on loopback, and two control-plane replicas (processes) on them. Dubbo providers
// registered in ZooKeeper are served by both replicas; a Dubbo rule applied through one replica is
// kept in etcd (not in ZooKeeper) and routes the calls of the other replica's clients too.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMeshClient, meshTransportOf } from '@shoal/mesh';
import type { Server } from '@shoal/rpc';
import { freePort, tally } from '@shoal/testing';
import { parseBootstrap } from '@shoal/xds';
import type zookeeper from 'node-zookeeper-client';
import { etcdAvailable, LocalEtcdCluster } from '../src/backends/local-etcd.js';
import {
  registerProviders,
  tripleProvider,
  USER,
  zkCall,
  zooKeeperClient,
} from './dubbo-zookeeper-providers.js';
import { Replica, until } from './replica-harness.js';
import { UserService } from './shop-services.js';
import { haveZooKeeper, ZooKeeperServer } from './zookeeper-server.js';

const RULE = `configVersion: v3.0
scope: service
key: ${USER}
force: false
conditions:
  - method=getInfo => region=hangzhou
`;

describe('replicas on etcd with the registry in ZooKeeper', {
  skip:
    (!etcdAvailable() && 'no /usr/bin/etcd') || (!haveZooKeeper && 'Debian package zookeeper not installed'),
}, () => {
  let etcd: LocalEtcdCluster;
  let zk: ZooKeeperServer;
  let dubbo: zookeeper.Client;
  const replicas: Replica[] = [];
  const providers: Server[] = [];
  const closers: (() => void)[] = [];

  /** A Shoal consumer of the interface whose only control plane is `replica`. */
  const consumer = (replica: Replica) => {
    const client = createMeshClient(UserService, USER, {
      bootstrap: parseBootstrap({
        xds_servers: [{ server_uri: replica.xds, channel_creds: [{ type: 'insecure' }] }],
        node: { id: `shop-frontend-${replica.name}`, metadata: { LABELS: { app: 'shop-frontend' } } },
      }),
    });
    closers.push(() => meshTransportOf(client).close());
    return client as unknown as { getInfo(r: object): Promise<{ server: string }> };
  };

  before(async () => {
    [etcd, zk] = await Promise.all([LocalEtcdCluster.start(3), ZooKeeperServer.start()]);
    dubbo = await zooKeeperClient(zk.connect);
    const hz = await tripleProvider('user-hz', '127.0.0.71', 0);
    const bj = await tripleProvider('user-bj', '127.0.0.72', hz.port);
    providers.push(hz.server, bj.server);
    await registerProviders(dubbo, hz.port, [
      ['127.0.0.71', 'hangzhou'],
      ['127.0.0.72', 'beijing'],
    ]);
    for (const name of ['cp-1', 'cp-2']) {
      const replica = new Replica(
        name,
        etcd.storeUrl,
        await freePort(),
        await freePort(),
        5000,
        `zookeeper://${zk.connect}`,
      );
      replicas.push(await replica.start());
    }
  });

  after(async () => {
    for (const close of closers) close();
    await Promise.all(replicas.map((r) => r.stop()));
    await Promise.all(providers.map((p) => p.close(100)));
    dubbo?.close();
    await Promise.all([zk?.stop(), etcd?.stop()]);
  });

  it('both replicas serve the providers registered in ZooKeeper, by interface name', async () => {
    for (const replica of replicas) {
      const c = consumer(replica);
      await until(`${replica.name}'s consumer reaching both providers`, async () => {
        const counts = await tally(10, () => c.getInfo({ username: 'a' }));
        return counts['user-hz'] === 5 && counts['user-bj'] === 5;
      });
    }
  });

  it('a rule applied through one replica is kept in etcd and routes the clients of both', async () => {
    const [first, second] = replicas as [Replica, Replica];
    const { version } = await first.apply(RULE);
    assert.ok(version > 0);
    // Not written into ZooKeeper: the store is etcd, ZooKeeper is only the registry.
    const inZooKeeper = await zkCall<unknown>((done) =>
      dubbo.exists(`/dubbo/config/dubbo/${USER}::.condition-router`, done),
    );
    assert.equal(inZooKeeper, null);
    // The other replica has it from etcd (whose watch it follows).
    await until(`${second.name} holding the rule`, async () => {
      const { items } = await second.get<{ items: { metadata: { name: string } }[] }>(
        '/api/config?kind=ConditionRoute',
      );
      return items.length === 1;
    });
    for (const replica of [second, first]) {
      const c = consumer(replica);
      await until(`getInfo from ${replica.name}'s consumer routed to hangzhou`, async () => {
        const counts = await tally(10, () => c.getInfo({ username: 'a' }));
        return counts['user-hz'] === 10;
      });
    }
  });
});
