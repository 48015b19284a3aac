// The ZooKeeper registry against a real ZooKeeper (Debian's package, started here): Dubbo's nodes
// written as Dubbo Java writes them (URL-encoded provider URLs, Curator's ServiceInstance JSON, the
// mapping, a rule from Dubbo Admin), read and watched; Shoal's registrations written back as
// ephemeral provider URLs; cut off from ZooKeeper (a proxy drops the connection), a session that
// resumes keeps everything, one that expires drops what it read and reads it again.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import zookeeper from 'node-zookeeper-client';
import { memoryBackend } from '../src/backends/memory-backend.js';
import { MemoryConfigStore } from '../src/config/memory-config-store.js';
import { InMemoryRegistry } from '../src/registry/memory-registry.js';
import type { RegisteredInstance } from '../src/registry/registry-types.js';
import { decodeDubbo, parseDubboUrl } from '../src/registry/zookeeper/dubbo-url.js';
import { type ZooKeeperBackend, zookeeperBackend } from '../src/registry/zookeeper/zookeeper-backend.js';
import { CutProxy } from './tcp-cut-proxy.js';
import { until as pollUntil } from './until.js';
import { haveZooKeeper, ZooKeeperServer } from './zookeeper-server.js';

const USER = 'org.apache.dubbo.samples.UserService';
const DETAIL = 'org.apache.dubbo.samples.DetailService';

// Node names as Dubbo 3's ZookeeperRegistry writes them: URL.encode(url.toFullString()).
const userTri =
  'tri%3A%2F%2F127.0.0.51%3A50061%2Forg.apache.dubbo.samples.UserService%3Fanyhost%3Dtrue%26application%3Dshop-user%26background%3Dfalse%26deprecated%3Dfalse%26dubbo%3D2.0.2%26dynamic%3Dtrue%26executor-management-mode%3Ddefault%26file.cache%3Dtrue%26generic%3Dfalse%26group%3Dgold%26interface%3Dorg.apache.dubbo.samples.UserService%26methods%3DgetInfo%2Clogin%26pid%3D24580%26prefer.serialization%3Dfastjson2%2Chessian2%26release%3D3.2.4%26service-name-mapping%3Dtrue%26side%3Dprovider%26timeout%3D3000%26timestamp%3D1722955607339%26version%3D1.0.0%26weight%3D200';
const userDubbo =
  'dubbo%3A%2F%2F127.0.0.51%3A20880%2Forg.apache.dubbo.samples.UserService%3Fanyhost%3Dtrue%26application%3Dshop-user%26dubbo%3D2.0.2%26interface%3Dorg.apache.dubbo.samples.UserService%26methods%3DgetInfo%2Clogin%26side%3Dprovider%26timestamp%3D1722955607339';
const userTri2 = (port: number) =>
  `tri%3A%2F%2F127.0.0.53%3A${port}%2Forg.apache.dubbo.samples.UserService%3Fapplication%3Dshop-user%26interface%3Dorg.apache.dubbo.samples.UserService%26side%3Dprovider%26region%3Dhangzhou`;
// Curator's JSON for Dubbo's application-level instance (ZookeeperServiceDiscovery).
const detailInstance = JSON.stringify({
  name: 'shop-detail',
  id: '127.0.0.52:50062',
  address: '127.0.0.52',
  port: 50062,
  sslPort: null,
  payload: {
    '@class': 'org.apache.dubbo.registry.zookeeper.ZookeeperInstance',
    id: '127.0.0.52:50062',
    name: 'shop-detail',
    metadata: {
      'dubbo.endpoints': '[{"port":50062,"protocol":"tri"}]',
      'dubbo.metadata.revision': 'a1b2c3',
      'dubbo.metadata.storage-type': 'local',
      detailVersion: 'v2',
      timestamp: '1722955607339',
    },
  },
  registrationTimeUTC: 1722955607339,
  serviceType: 'DYNAMIC',
  uriSpec: null,
});
const rule = `configVersion: v3.0
scope: service
force: false
enabled: true
key: ${USER}
conditions:
  - method=getInfo => region=hangzhou
`;

/** Dubbo's side: a plain ZooKeeper client writing what Dubbo Java writes. */
async function dubboWriter(connect: string) {
  const client = zookeeper.createClient(connect, { sessionTimeout: 5000 });
  await within(
    new Promise<void>((resolve) => {
      client.once('connected', () => resolve());
      client.connect();
    }),
    "Dubbo's writer connecting to ZooKeeper",
  );
  const run = <T>(f: (done: (err: unknown, v?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v as T))));
  return {
    client,
    mkdirp: (path: string, data?: string) =>
      run<string>((done) =>
        data === undefined ? client.mkdirp(path, done) : client.mkdirp(path, Buffer.from(data), done),
      ),
    ephemeral: (path: string, data: string) =>
      run<string>((done) => client.create(path, Buffer.from(data), zookeeper.CreateMode.EPHEMERAL, done)),
    set: (path: string, data: string) =>
      run<unknown>((done) => client.setData(path, Buffer.from(data), done)),
    remove: (path: string) => run<void>((done) => client.remove(path, done)),
    children: (path: string) => run<string[]>((done) => client.getChildren(path, done)),
    exists: (path: string) => run<unknown>((done) => client.exists(path, done)),
    close: () => client.close(),
  };
}

function shoalRegistration(
  nodeId: string,
  address: string,
  port: number,
  labels: Record<string, string> = {},
): RegisteredInstance {
  return {
    nodeId,
    app: 'shop-user',
    namespace: 'default',
    hostname: 'shop-user.default.svc.cluster.local',
    address,
    port,
    interfaces: [USER],
    labels,
    weight: 1,
  };
}

/** Bounds a step of the set-up, so a stuck one fails naming itself instead of hanging the file. */
function within<T>(step: Promise<T>, what: string, timeoutMs = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  return Promise.race([step, timeout]).finally(() => clearTimeout(timer));
}

/** The suite's waits, at most 5 s each unless said: the shared poll of test/until.ts. */
const until = (check: () => boolean, what: string, timeoutMs = 5000): Promise<number> =>
  pollUntil(what, check, timeoutMs);

describe('the ZooKeeper registry against a real ZooKeeper', {
  skip: !haveZooKeeper && 'Debian package zookeeper not installed',
}, () => {
  let zk: ZooKeeperServer;
  let dubbo: Awaited<ReturnType<typeof dubboWriter>>;
  let registry: InMemoryRegistry;
  let zookeeper: ZooKeeperBackend;
  let proxy: CutProxy;
  const store = new MemoryConfigStore();
  const host = (app: string) => `${app}.default.svc.cluster.local`;

  before(async () => {
    zk = await ZooKeeperServer.start();
    dubbo = await dubboWriter(zk.connect);
    await dubbo.mkdirp(`/dubbo/${USER}/providers`);
    await dubbo.ephemeral(`/dubbo/${USER}/providers/${userTri}`, '127.0.0.51');
    await dubbo.ephemeral(`/dubbo/${USER}/providers/${userDubbo}`, '127.0.0.51');
    await dubbo.mkdirp(`/dubbo/${USER}/consumers`);
    await dubbo.mkdirp('/services/shop-detail');
    await dubbo.ephemeral('/services/shop-detail/127.0.0.52:50062', detailInstance);
    await dubbo.mkdirp(`/dubbo/mapping/${DETAIL}`, 'shop-detail');
    await dubbo.mkdirp(`/dubbo/config/dubbo/${USER}::.condition-router`, rule);
    // The registry reaches ZooKeeper through a proxy that can cut it off; Dubbo's writer does not.
    proxy = await CutProxy.start(zk.port);
    // The registry as the control plane makes it for --registry zookeeper:// on the memory store.
    const log = () => {};
    const storeBackend = {
      ...memoryBackend({ store: 'memory', scheme: 'memory', prefix: '/shoal', graceMs: 0, log }),
      config: store,
    };
    zookeeper = zookeeperBackend(
      {
        registry: `zookeeper://${proxy.connect}`,
        scheme: 'zookeeper',
        storeUrl: 'memory',
        storeBackend,
        createStore: () => storeBackend,
        prefix: '/shoal',
        log,
      },
      { sessionTimeoutMs: 2000 },
    );
    registry = new InMemoryRegistry({
      store,
      registrations: zookeeper.registrations,
      sources: zookeeper.sources ?? [],
    });
    await registry.start();
    await within(
      zookeeper.ready?.() ?? Promise.resolve(),
      'the registry reading ZooKeeper for the first time',
    );
  });

  after(async () => {
    await registry?.close();
    await proxy?.close();
    dubbo?.close();
    await zk?.stop();
    // A ZooKeeper client's reconnect timer can outlive the suite under load: end once reported.
    setTimeout(() => process.exit(), 1000).unref();
  });

  it("reads an interface-level provider URL: the app's host, version, group, weight, timeout, release", async () => {
    await until(() => registry.endpoints(host('shop-user')).length > 0, 'the shop-user provider');
    const [ep, ...rest] = registry.endpoints(host('shop-user'));
    assert.equal(rest.length, 0, 'the dubbo:// URL is not an endpoint Shoal can call');
    assert.equal(ep!.address, '127.0.0.51');
    assert.equal(ep!.port, 50061);
    assert.equal(ep!.weight, 200);
    assert.deepEqual(ep!.interfaces, [USER]);
    assert.deepEqual(ep!.labels, {
      protocol: 'tri',
      application: 'shop-user',
      group: 'gold',
      methods: 'getInfo,login',
      release: '3.2.4',
      side: 'provider',
      timeout: '3000',
      version: '1.0.0',
    });
    // Interface-level discovery: the interface resolves to the app's host and port.
    assert.deepEqual(registry.resolveInterface(USER), [
      { interface: USER, hostname: host('shop-user'), namespace: 'default', port: 50061 },
    ]);
  });

  it('reads an application-level instance and the interface mapping', async () => {
    await until(() => registry.resolveInterface(DETAIL).length > 0, 'the mapping');
    const [ep] = registry.endpoints(host('shop-detail'));
    assert.equal(`${ep!.address}:${ep!.port}`, '127.0.0.52:50062');
    assert.equal(ep!.labels.detailVersion, 'v2');
    assert.deepEqual(ep!.interfaces, [DETAIL]);
  });

  it("reads Dubbo's rules from /dubbo/config/dubbo into the config store, and follows their changes", async () => {
    await until(() => store.list('ConditionRoute').length === 1, 'the rule');
    const r = store.get('ConditionRoute', 'default', `${USER}::.condition-router`);
    assert.deepEqual(r?.spec.conditions, ['method=getInfo => region=hangzhou']);
    await dubbo.set(`/dubbo/config/dubbo/${USER}::.condition-router`, rule.replace('hangzhou', 'beijing'));
    await until(
      () =>
        store.get('ConditionRoute', 'default', `${USER}::.condition-router`)?.spec.conditions[0] ===
        'method=getInfo => region=beijing',
      'the changed rule',
    );
    // An invalid rule is left out; the valid ones stay.
    await dubbo.mkdirp('/dubbo/config/dubbo/shop-user.tag-router', 'tags: [{name: t}]\nkey: shop-user');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(store.list('TagRoute').length, 0);
    assert.equal(store.list('ConditionRoute').length, 1);
  });

  it('a new provider reaches the registry within a second, and so does its removal', async () => {
    const path = `/dubbo/${USER}/providers/${userTri2(50063)}`;
    await dubbo.ephemeral(path, '127.0.0.53');
    const added = await until(
      () => registry.endpoints(host('shop-user')).some((e) => e.port === 50063),
      'the new provider',
    );
    assert.ok(added < 1000, `${added} ms`);
    assert.equal(
      registry.endpoints(host('shop-user')).find((e) => e.port === 50063)?.labels.region,
      'hangzhou',
    );
    await dubbo.remove(path);
    const removed = await until(
      () => !registry.endpoints(host('shop-user')).some((e) => e.port === 50063),
      'its removal',
    );
    assert.ok(removed < 1000, `${removed} ms`);
  });

  it("writes a Shoal provider as Dubbo's consumers read it, and removes it when its lease ends", async () => {
    const registration = shoalRegistration('shoal-user-1', '127.0.0.54', 50064, {
      version: 'v2',
      'dubbo.version': '1.0.0',
      env: 'gray',
    });
    const lease = await registry.register(registration);
    const nodes = await dubbo.children(`/dubbo/${USER}/providers`);
    const written = nodes.map((n) => parseDubboUrl(decodeDubbo(n))!).find((u) => u.host === '127.0.0.54');
    assert.ok(written, nodes.join('\n'));
    assert.equal(written.protocol, 'tri');
    assert.equal(written.port, 50064);
    assert.equal(written.path, USER);
    assert.equal(written.params.application, 'shop-user');
    assert.equal(written.params.interface, USER);
    assert.equal(written.params.side, 'provider');
    assert.equal(written.params.version, '1.0.0');
    assert.equal(written.params.env, 'gray');
    assert.equal(written.params.weight, '100');
    assert.deepEqual(await dubbo.children('/dubbo/mapping').then((c) => c.includes(USER)), true);
    // Its own URL, read back, is not a second endpoint.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(registry.endpoints(host('shop-user')).filter((e) => e.address === '127.0.0.54').length, 1);
    lease.remove();
    await until(
      () => registry.endpoints(host('shop-user')).every((e) => e.address !== '127.0.0.54'),
      'the registration gone',
    );
    let gone = false;
    const start = Date.now();
    while (!gone && Date.now() - start < 5000) {
      gone = (await dubbo.children(`/dubbo/${USER}/providers`)).every(
        (n) => !decodeDubbo(n).includes('127.0.0.54'),
      );
      if (!gone) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(gone, 'its provider URL removed from ZooKeeper');
  });

  it('keeps what it read while cut off for less than the session, and sees what changed meanwhile', async () => {
    await until(
      () =>
        registry.endpoints(host('shop-detail')).length === 1 &&
        registry.endpoints(host('shop-user')).length === 1,
      'the view settled',
    );
    const before = registry.endpoints().length;
    proxy.cut();
    await until(() => !zookeeper.source.connected, 'the disconnect');
    const path = `/dubbo/${USER}/providers/${userTri2(50065)}`;
    await dubbo.ephemeral(path, '127.0.0.53');
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(registry.endpoints().length, before, 'nothing dropped while disconnected');
    proxy.restore();
    await until(() => zookeeper.source.connected, 'the session to resume', 5000);
    // The same session: ZooKeeper's watches carried over and fire for what changed.
    await until(
      () => registry.endpoints(host('shop-user')).some((e) => e.port === 50065),
      'the provider added while cut off',
    );
    await dubbo.remove(path);
  });

  it('drops what it read once the session expires, and reads it again (and writes its providers) in a new one', async () => {
    const registration = shoalRegistration('shoal-user-2', '127.0.0.55', 50066);
    await registry.register(registration);
    proxy.cut();
    // Longer than the session: the registry declares it expired and drops ZooKeeper's part.
    const dropped = await until(
      () => registry.endpoints(host('shop-detail')).length === 0,
      'the expired view dropped',
      8000,
    );
    assert.ok(dropped >= 1500, `dropped after ${dropped} ms, before the session's 2 s`);
    assert.ok(
      registry.endpoints(host('shop-user')).some((e) => e.address === '127.0.0.55'),
      'its own registrations stay',
    );
    proxy.restore();
    await until(() => registry.endpoints(host('shop-detail')).length === 1, 'the instance read again', 8000);
    let written = false;
    const start = Date.now();
    while (!written && Date.now() - start < 5000) {
      written = (await dubbo.children(`/dubbo/${USER}/providers`)).some((n) =>
        decodeDubbo(n).includes('127.0.0.55:50066'),
      );
      if (!written) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(written, 'its provider written again in the new session');
  });
});
