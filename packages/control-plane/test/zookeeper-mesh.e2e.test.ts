// A control plane on Dubbo's ZooKeeper (what `shoal cp --registry zookeeper://HOST:PORT` runs),
// end to end: providers registered in ZooKeeper as Dubbo Java registers them (plain Triple servers
// here, @shoal/rpc) are called by a Shoal consumer by their interface name; a rule Dubbo Admin
// writes into ZooKeeper routes the calls; a provider added there takes calls within a second;
// a Shoal provider (registered over xDS) is written into ZooKeeper for Dubbo's consumers and
// taken out when it leaves.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMeshClient, createMeshServer, type MeshServer, meshTransportOf } from '@shoal/mesh';
import type { Server } from '@shoal/rpc';
import { tally } from '@shoal/testing';
import { parseBootstrap } from '@shoal/xds';
import zookeeper from 'node-zookeeper-client';
import { ControlPlane } from '../src/control-plane.js';
import { decodeDubbo } from '../src/registry/zookeeper/dubbo-url.js';
import {
  providerNode,
  registerProviders,
  tripleProvider,
  USER,
  zkCall,
  zooKeeperClient,
} from './dubbo-zookeeper-providers.js';
import { UserService } from './shop-services.js';
import { haveZooKeeper, ZooKeeperServer } from './zookeeper-server.js';

describe("Shoal on Dubbo's ZooKeeper, end to end", {
  skip: !haveZooKeeper && 'Debian package zookeeper not installed',
}, () => {
  let zk: ZooKeeperServer;
  let dubbo: zookeeper.Client;
  let cp: ControlPlane;
  const providers: Server[] = [];
  let port = 0;
  let meshProvider: MeshServer | undefined;
  const closers: (() => void)[] = [];

  const consumer = () => {
    const client = createMeshClient(UserService, USER, {
      bootstrap: parseBootstrap({
        xds_servers: [
          { server_uri: `127.0.0.1:${cp.addresses!.xds.port}`, channel_creds: [{ type: 'insecure' }] },
        ],
        node: { id: `shop-frontend-${closers.length}`, metadata: { LABELS: { app: 'shop-frontend' } } },
      }),
    });
    closers.push(() => meshTransportOf(client).close());
    return client as unknown as {
      getInfo(r: object): Promise<{ server: string }>;
      login(r: object): Promise<{ server: string }>;
    };
  };

  const until = async (check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5000) => {
    const start = Date.now();
    while (!(await check())) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return Date.now() - start;
  };

  before(async () => {
    zk = await ZooKeeperServer.start();
    dubbo = await zooKeeperClient(zk.connect);
    const hz = await tripleProvider('user-hz', '127.0.0.61', 0);
    port = hz.port;
    const bj = await tripleProvider('user-bj', '127.0.0.62', port);
    providers.push(hz.server, bj.server);
    await registerProviders(dubbo, port, [
      ['127.0.0.61', 'hangzhou'],
      ['127.0.0.62', 'beijing'],
    ]);
    cp = new ControlPlane({
      xdsPort: 0,
      adminPort: 0,
      registryUrl: `zookeeper://${zk.connect}`,
      leaseGraceMs: 0,
    });
    const addresses = await cp.start();
    assert.equal(addresses.registry, 'connected');
  });

  after(async () => {
    for (const close of closers) close();
    await meshProvider?.close(100);
    await Promise.all(providers.map((p) => p.close(100)));
    await cp?.stop(100);
    dubbo?.close();
    await zk?.stop();
    // Under load, a client's reconnect timer (ZooKeeper's or xDS's) sometimes outlives the suite
    // and holds the process: once everything is stopped and reported, it ends.
    setTimeout(() => process.exit(), 1000).unref();
  });

  it('a Shoal consumer calls the providers registered in ZooKeeper by their interface name', async () => {
    const c = consumer();
    const counts = await tally(20, () => c.getInfo({ username: 'a' }));
    assert.deepEqual(counts, { 'user-hz': 10, 'user-bj': 10 });
  });

  it('a rule Dubbo Admin writes into ZooKeeper routes the calls', async () => {
    const c = consumer();
    await zkCall((done) =>
      dubbo.mkdirp(
        `/dubbo/config/dubbo/${USER}::.condition-router`,
        Buffer.from(
          `configVersion: v3.0\nscope: service\nkey: ${USER}\nforce: false\nconditions:\n  - method=getInfo => region=hangzhou\n`,
        ),
        done,
      ),
    );
    await until(
      async () => (await tally(10, () => c.getInfo({ username: 'a' })))['user-hz'] === 10,
      'getInfo on hangzhou',
    );
    const logins = await tally(10, () => c.login({ username: 'a' }));
    assert.deepEqual(Object.keys(logins).sort(), ['user-bj', 'user-hz']);
  });

  it('a provider registered in ZooKeeper takes calls within a second; removed, it takes none', async () => {
    const c = consumer();
    const sh = await tripleProvider('user-sh', '127.0.0.63', port);
    providers.push(sh.server);
    const node = `/dubbo/${USER}/providers/${providerNode('127.0.0.63', port, '&region=shanghai')}`;
    await zkCall((done) =>
      dubbo.create(node, Buffer.from('127.0.0.63'), zookeeper.CreateMode.EPHEMERAL, done),
    );
    const took = await until(
      async () => (await tally(3, () => c.login({ username: 'a' })))['user-sh'] !== undefined,
      'user-sh',
    );
    assert.ok(took < 1000, `${took} ms`);
    await zkCall<void>((done) => dubbo.remove(node, done));
    await until(
      async () => (await tally(6, () => c.login({ username: 'a' })))['user-sh'] === undefined,
      'user-sh gone',
      2000,
    );
  });

  it("a Shoal provider is written into ZooKeeper as Dubbo's consumers read it, and leaves with it", async () => {
    meshProvider = createMeshServer({
      bootstrap: parseBootstrap({
        xds_servers: [
          { server_uri: `127.0.0.1:${cp.addresses!.xds.port}`, channel_creds: [{ type: 'insecure' }] },
        ],
        node: { id: 'shoal-user', metadata: { NAMESPACE: 'default' } },
        server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
      }),
      registration: { app: 'shop-user', labels: { region: 'hangzhou' } },
    });
    meshProvider.register(UserService, {
      getInfo: () => ({ server: 'shoal' }),
      login: () => ({ server: 'shoal' }),
    } as never);
    await meshProvider.listen(port, '127.0.0.64');
    const written = () =>
      zkCall<string[]>((done) => dubbo.getChildren(`/dubbo/${USER}/providers`, done)).then((nodes) =>
        nodes.map(decodeDubbo).find((u) => u.startsWith(`tri://127.0.0.64:${port}/${USER}?`)),
      );
    await until(async () => (await written()) !== undefined, 'its provider URL');
    const url = (await written())!;
    for (const param of ['application=shop-user', `interface=${USER}`, 'side=provider', 'region=hangzhou'])
      assert.ok(url.includes(param), `${param} in ${url}`);
    const c = consumer();
    await until(
      async () => (await tally(8, () => c.login({ username: 'a' }))).shoal !== undefined,
      'calls to the Shoal provider',
    );
    await meshProvider.close(100);
    meshProvider = undefined;
    await until(async () => (await written()) === undefined, 'its provider URL removed');
  });
});
