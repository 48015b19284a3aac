// The etcd backend against a real 3-member etcd cluster (Debian's etcd-server, started here on
// loopback ports): replicas share config (one transaction per apply, versions from revisions, the
// same numbers on every replica, concurrent applies both kept), registrations (seen everywhere,
// taken over by another replica, swept by the leader after the grace period) and one leader.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registration } from '../../test/registration-fixture.js';
import { until } from '../../test/until.js';
import type { EtcdRegistrations } from '../registry/etcd-registrations.js';
import { InMemoryRegistry } from '../registry/memory-registry.js';
import type { RegistrationChange } from '../registry/registration-store.js';
import { registerRegistryBackends, registerStoreBackends } from './builtin-backends.js';
import { etcdAvailable, LocalEtcdCluster } from './local-etcd.js';
import type { StoreBackend } from './store-backends.js';

const dr = (name: string, subsets = ['v1']) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name },
  spec: { host: name, subsets: subsets.map((s) => ({ name: s, labels: { version: s } })) },
});

describe('etcd store backend (3-member etcd cluster)', {
  skip: !etcdAvailable() && 'no /usr/bin/etcd',
}, () => {
  let cluster: LocalEtcdCluster;
  const open: StoreBackend[] = [];
  let prefixes = 0;
  /** A replica's backend, started, on its own prefix per test unless told. */
  const replica = async (
    prefix: string,
    graceMs = 300,
  ): Promise<StoreBackend & { changes: RegistrationChange[] }> => {
    const changes: RegistrationChange[] = [];
    const backend = registerStoreBackends().create(cluster.storeUrl, { prefix, graceMs, log: () => {} });
    open.push(backend);
    await backend.start();
    await backend.config.start();
    await backend.registrations.start((c) => changes.push(c));
    return Object.assign(backend, { changes });
  };
  const prefix = () => `/shoal-test-${process.pid}-${++prefixes}`;

  before(async () => {
    cluster = await LocalEtcdCluster.start(3);
  });
  after(async () => {
    for (const b of open)
      await Promise.all([b.config.close(), b.registrations.close(), b.close()]).catch(() => {});
    await cluster?.stop();
  });

  it('shares config between replicas: same objects, store version and resourceVersions', async () => {
    const p = prefix();
    const a = await replica(p);
    const b = await replica(p);
    const events: number[] = [];
    const sources: (string | undefined)[] = [];
    b.config.subscribe((e) => {
      events.push(e.version);
      sources.push(e.source);
    });
    const preview = await a.config.apply([dr('reviews')], { dryRun: true });
    assert.deepEqual(
      preview.changes.map((c) => c.type),
      ['added'],
    );
    assert.equal(
      a.config.get('DestinationRule', 'default', 'reviews'),
      undefined,
      'a dry run writes nothing',
    );
    const r = await a.config.apply([dr('reviews'), dr('ratings')], { source: 'replica a' });
    assert.equal(r.changes.length, 2);
    assert.equal(a.config.version, r.version);
    await until('replica b sees the apply', () => b.config.version === r.version);
    assert.deepEqual(b.config.list(), a.config.list());
    assert.equal(
      a.config.get('DestinationRule', 'default', 'reviews')?.metadata.resourceVersion,
      String(r.version),
    );
    assert.deepEqual(events, [r.version], 'one event for the whole apply (one transaction)');
    assert.deepEqual(sources, ['replica a'], 'the source travels with the change');

    const same = await b.config.apply([dr('reviews')]);
    assert.deepEqual(same.changes, [], 'nothing changed, nothing written');
    assert.equal(same.version, r.version);
    const updated = await b.config.apply([dr('reviews', ['v1', 'v2'])]);
    assert.equal(updated.changes[0]?.type, 'updated');
    await until('a sees b', () => a.config.version === updated.version);
    assert.equal(a.config.get('DestinationRule', 'default', 'reviews')?.metadata.generation, 2);

    // A replica that starts later computes the same version and resourceVersions from etcd.
    const c = await replica(p);
    assert.equal(c.config.version, updated.version);
    assert.deepEqual(c.config.list(), a.config.list());
    assert.equal(await c.config.delete('DestinationRule', 'default', 'ratings'), true);
    assert.equal(await c.config.delete('DestinationRule', 'default', 'ratings'), false);
    await until('a sees the delete', () => !a.config.get('DestinationRule', 'default', 'ratings'));
  });

  it('gives a registry made before the store loaded what the store loaded (as ControlPlane starts)', async () => {
    const p = prefix();
    const a = await replica(p);
    await a.config.apply(
      'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext}\nspec: {hosts: [api.example.com], ports: [{number: 443, name: https, protocol: HTTPS}], resolution: DNS}\n',
    );
    const late = registerStoreBackends().create(cluster.storeUrl, { prefix: p, log: () => {} });
    open.push(late);
    const registry = new InMemoryRegistry({ store: late.config, registrations: late.registrations });
    await late.start();
    await late.config.start();
    await registry.start();
    assert.equal(registry.service('api.example.com')?.source, 'ServiceEntry');
    assert.equal(registry.version, late.config.version);
    await registry.close();
  });

  it('keeps both of two applies made at once on two replicas, and rejects an invalid one whole', async () => {
    const p = prefix();
    const a = await replica(p);
    const b = await replica(p);
    // Registrations written meanwhile move etcd's revision on outside the config prefix: a replica
    // that lost a race must still know when its view has caught up with the config.
    const [results] = await Promise.all([
      Promise.all([
        ...Array.from({ length: 5 }, (_, i) => a.config.apply([dr(`from-a-${i}`)])),
        ...Array.from({ length: 5 }, (_, i) => b.config.apply([dr(`from-b-${i}`)])),
      ]),
      ...Array.from({ length: 5 }, (_, i) => b.registrations.register(registration({ nodeId: `race-${i}` }))),
    ]);
    assert.equal(new Set(results.map((r) => r.version)).size, 10, 'ten distinct revisions');
    await until('both hold all ten', () => a.config.list().length === 10 && b.config.list().length === 10);
    assert.equal(a.config.version, b.config.version);
    await assert.rejects(
      a.config.apply([
        dr('fine'),
        { ...dr('bad'), spec: { host: 'bad', subsets: [{ name: 'v1' }, { name: 'v1' }] } },
      ]),
      /spec\.subsets\[1\]\.name/,
    );
    assert.equal(a.config.get('DestinationRule', 'default', 'fine'), undefined, 'nothing of it kept');
    // replaceOwned: the directory's set, atomically.
    await a.config.replaceOwned('dir:/etc/shoal', [dr('f1'), dr('f2')]);
    const r = await b.config.replaceOwned('dir:/etc/shoal', [dr('f2', ['v1', 'v2'])]);
    assert.deepEqual(r.changes.map((c) => `${c.type} ${c.name}`).sort(), ['deleted f1', 'updated f2']);
    assert.equal(b.config.ownerOf('DestinationRule', 'default', 'f2'), 'dir:/etc/shoal');
  });

  it('shares registrations; another replica takes one over; the leader sweeps it after the grace period', async () => {
    const p = prefix();
    const a = await replica(p);
    const b = await replica(p);
    const lease = await a.registrations.register(registration({ nodeId: 'n1' }));
    await until('b sees n1', () => b.registrations.registrations().some((r) => r.nodeId === 'n1'));
    // The stream moves to b (a died or the client fell back): b takes the key onto its lease.
    const moved = await b.registrations.register(registration({ nodeId: 'n1' }));
    lease.end(); // a's stream ends afterwards: the key is b's now, a leaves it alone
    await new Promise((r) => setTimeout(r, 800)); // past the grace period of 300 ms
    assert.ok(
      a.registrations.registrations().some((r) => r.nodeId === 'n1'),
      'still registered',
    );
    assert.deepEqual(
      b.changes.map((c) => [c.reason, c.nodeId]),
      [['registered', 'n1']],
      'the take-over changed nothing in the view',
    );
    // Its stream ends on b: after the grace period, the leader (whichever replica) deletes it.
    moved.end();
    await until(
      'the leader swept n1',
      () => !a.registrations.registrations().some((r) => r.nodeId === 'n1'),
      5000,
    );
    await until('b too', () => !b.registrations.registrations().some((r) => r.nodeId === 'n1'));
    assert.deepEqual(a.changes.at(-1), {
      reason: 'expired',
      nodeId: 'n1',
      hostnames: ['greeter.default.svc.cluster.local'],
    });
  });

  it('elects one leader; when it stops, another takes over and does the work', async () => {
    const p = prefix();
    const replicas = [await replica(p, 200), await replica(p, 200), await replica(p, 200)];
    await until('a leader', () => replicas.filter((r) => r.leadership?.isLeader).length === 1);
    const leader = replicas.find((r) => r.leadership?.isLeader)!;
    const others = replicas.filter((r) => r !== leader);
    await leader.close();
    await until('a new leader', () => others.filter((r) => r.leadership?.isLeader).length === 1, 10_000);
    const ended = await others[0]!.registrations.register(registration({ nodeId: 'n2' }));
    ended.end();
    await until(
      'the new leader swept n2',
      () => !others[1]!.registrations.registrations().some((r) => r.nodeId === 'n2'),
    );
    assert.ok(typeof (others[0]!.registrations as EtcdRegistrations).sweep === 'function');
  });

  it('keeps registrations in etcd with config elsewhere (--store memory --registry etcd://...)', async () => {
    const p = prefix();
    const stores = registerStoreBackends();
    const made = () => {
      const storeBackend = stores.create('memory', { log: () => {} });
      const registry = registerRegistryBackends().create(cluster.storeUrl, {
        storeUrl: 'memory',
        storeBackend,
        createStore: (url) => stores.create(url, { prefix: p, graceMs: 200, log: () => {} }),
        prefix: p,
        log: () => {},
      });
      return { storeBackend, registry };
    };
    const [a, b] = [made(), made()];
    for (const { registry } of [a, b]) {
      await registry.start();
      await registry.registrations.start(() => {});
    }
    assert.notEqual(a.registry.registrations, a.storeBackend.registrations);
    assert.match(a.registry.registrations.description, /etcd/);
    const lease = await a.registry.registrations.register(registration({ nodeId: 'n3' }));
    await until('b sees n3 through etcd', () =>
      b.registry.registrations.registrations().some((r) => r.nodeId === 'n3'),
    );
    assert.equal(a.storeBackend.registrations.registrations().length, 0, 'nothing in the memory store');
    await until(
      'one leader among them',
      () => [a, b].filter((r) => r.registry.leadership?.isLeader).length === 1,
    );
    lease.end();
    await until(
      'the leader swept n3 after the grace period',
      () => !b.registry.registrations.registrations().some((r) => r.nodeId === 'n3'),
      5000,
    );
    await Promise.all([a, b].map((r) => r.registry.registrations.close()));
    await Promise.all([a, b].map((r) => r.registry.close()));
  });
});
