import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Code, RpcError } from '@shoal/rpc';
import { DataDir } from '../state/data-dir.js';
import { ConfigRejectedError } from './config-rejected-error.js';
import type { ConfigEvent } from './config-store.js';
import { ConfigValidator } from './config-validator.js';
import { CONFIG_FILE, MemoryConfigStore } from './memory-config-store.js';

const validator = new ConfigValidator();

const dr = (name: string, host: string, subsets = ['v1']) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name },
  spec: { host, subsets: subsets.map((s) => ({ name: s, labels: { version: s } })) },
});

const badSe = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'bad', namespace: 'shop' },
  spec: { hosts: ['*'] },
};

describe('MemoryConfigStore', () => {
  it('applies, versions and lists objects', async () => {
    const store = new MemoryConfigStore({ validator, now: () => new Date('2026-01-01T00:00:00Z') });
    assert.equal(store.version, 0);
    const result = await store.apply([dr('reviews', 'reviews'), dr('ratings', 'ratings')]);
    assert.equal(result.version, 1);
    assert.deepEqual(
      result.changes.map((c) => [c.type, c.kind, c.namespace, c.name]),
      [
        ['added', 'DestinationRule', 'default', 'reviews'],
        ['added', 'DestinationRule', 'default', 'ratings'],
      ],
    );
    const got = store.get('DestinationRule', 'default', 'reviews');
    assert.equal(got?.spec.host, 'reviews');
    assert.equal(got?.metadata.resourceVersion, '1');
    assert.equal(got?.metadata.generation, 1);
    assert.equal(got?.metadata.creationTimestamp, '2026-01-01T00:00:00.000Z');
    assert.deepEqual(
      store.list('DestinationRule').map((o) => o.metadata.name),
      ['ratings', 'reviews'],
    );
    assert.deepEqual(store.list('VirtualService'), []);
    assert.equal(store.list(undefined, 'other').length, 0);
    assert.ok(Object.isFrozen(got) && Object.isFrozen(got?.spec.subsets), 'stored objects are read-only');
  });

  it('bumps generation on change, and ignores an unchanged re-apply', async () => {
    const store = new MemoryConfigStore({ validator });
    await store.apply([dr('reviews', 'reviews')]);
    const same = await store.apply([dr('reviews', 'reviews')]);
    assert.deepEqual(same.changes, []);
    assert.equal(same.version, 1);
    const changed = await store.apply([dr('reviews', 'reviews', ['v1', 'v2'])]);
    assert.equal(changed.version, 2);
    assert.equal(changed.changes[0]?.type, 'updated');
    assert.equal(changed.changes[0]?.previous?.metadata.generation, 1);
    const now = store.get('DestinationRule', 'default', 'reviews');
    assert.equal(now?.metadata.generation, 2);
    assert.equal(now?.metadata.resourceVersion, '2');
  });

  it('rejects the whole apply when one document is invalid, with every error', async () => {
    const store = new MemoryConfigStore({ validator });
    await store.apply([dr('reviews', 'reviews')]);
    const events: ConfigEvent[] = [];
    store.subscribe((e) => events.push(e));
    const invalidDr = {
      ...dr('ratings', 'ratings'),
      spec: { host: 'ratings', subsets: [{ name: 'v1' }, { name: 'v1' }] },
    };
    await assert.rejects(store.apply([dr('details', 'details'), badSe, invalidDr]), (err: unknown) => {
      assert.ok(err instanceof ConfigRejectedError);
      assert.equal(err.code, 3); // INVALID_ARGUMENT
      const docs = err.issues.filter((i) => i.severity === 'error').map((i) => `${i.document} ${i.path}`);
      assert.deepEqual(docs, [
        'ServiceEntry/shop/bad spec.hosts[0]',
        'DestinationRule/default/ratings spec.subsets[1].name',
      ]);
      assert.match(
        err.message,
        /ServiceEntry\/shop\/bad: spec\.hosts\[0\]: Invalid value: "\*": hostname cannot be wildcard/,
      );
      return true;
    });
    assert.equal(
      store.get('DestinationRule', 'default', 'details'),
      undefined,
      'nothing of the apply is kept',
    );
    assert.equal(store.version, 1);
    assert.deepEqual(events, []);
  });

  it('rejects an object defined twice in one apply', async () => {
    const store = new MemoryConfigStore({ validator });
    await assert.rejects(
      store.apply([dr('a', 'a'), dr('a', 'b')]),
      /DestinationRule\/default\/a is defined more than once/,
    );
  });

  it('applies YAML text and reports syntax errors with the source', async () => {
    const store = new MemoryConfigStore({ validator });
    const r = await store.apply(
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {host: d}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n',
    );
    assert.equal(r.changes.length, 1);
    assert.equal(r.skipped[0]?.kind, 'Deployment');
    await assert.rejects(
      store.apply('a: [', { source: 'broken.yaml' }),
      /broken\.yaml:1: document 0: YAML syntax error at line 1:/,
    );
  });

  it('deletes objects and emits events in version order to subscribers until they unsubscribe', async () => {
    const store = new MemoryConfigStore({ validator });
    const events: ConfigEvent[] = [];
    const unsubscribe = store.subscribe((e) => events.push(e));
    await store.apply([dr('a', 'a')]);
    assert.equal(await store.delete('DestinationRule', 'default', 'a'), true);
    assert.equal(await store.delete('DestinationRule', 'default', 'a'), false);
    assert.deepEqual(
      events.map((e) => [e.version, e.changes.map((c) => c.type)]),
      [
        [1, ['added']],
        [2, ['deleted']],
      ],
    );
    unsubscribe();
    await store.apply([dr('b', 'b')]);
    assert.equal(events.length, 2);
  });

  it('keeps event order when a listener applies from its callback, and survives a throwing listener', async () => {
    const failures: unknown[] = [];
    const store = new MemoryConfigStore({ validator, onListenerError: (err) => failures.push(err) });
    const seen: number[][] = [[], []];
    store.subscribe((e) => {
      seen[0]!.push(e.version);
      if (e.version === 1) void store.apply([dr('nested', 'nested')]);
    });
    store.subscribe(() => {
      throw new Error('listener broke');
    });
    store.subscribe((e) => seen[1]!.push(e.version));
    await store.apply([dr('a', 'a')]);
    assert.deepEqual(seen, [
      [1, 2],
      [1, 2],
    ]);
    assert.equal(failures.length, 2);
    assert.equal(store.version, 2);
  });

  it('replaceOwned deletes what an owner no longer has, and leaves other owners alone', async () => {
    const store = new MemoryConfigStore({ validator });
    await store.apply([dr('api-owned', 'x')]);
    await store.replaceOwned('dir:/etc/shoal', [dr('a', 'a'), dr('b', 'b')]);
    assert.equal(store.ownerOf('DestinationRule', 'default', 'a'), 'dir:/etc/shoal');
    const r = await store.replaceOwned('dir:/etc/shoal', [dr('b', 'b', ['v1', 'v2'])]);
    assert.deepEqual(
      r.changes.map((c) => `${c.type} ${c.name}`),
      ['updated b', 'deleted a'],
    );
    assert.deepEqual(
      store.list('DestinationRule').map((o) => o.metadata.name),
      ['api-owned', 'b'],
    );
    await assert.rejects(store.replaceOwned('dir:/etc/shoal', [badSe]), ConfigRejectedError);
    assert.ok(store.get('DestinationRule', 'default', 'b'), 'a rejected replace keeps the last good config');
  });
});

describe('MemoryConfigStore with a data dir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves every change and loads objects, owners, versions and generations in a new store', async () => {
    const first = new MemoryConfigStore({ validator, dataDir: new DataDir(dir) });
    await first.apply([dr('reviews', 'reviews'), dr('ratings', 'ratings')]);
    await first.apply([dr('reviews', 'reviews', ['v1', 'v2'])]);
    await first.replaceOwned('dir:/etc/shoal', [dr('from-file', 'x')]);
    await first.delete('DestinationRule', 'default', 'ratings');
    const second = new MemoryConfigStore({ validator, dataDir: new DataDir(dir) });
    assert.equal(second.version, first.version);
    assert.equal(second.version, 4);
    assert.deepEqual(second.list(), first.list());
    assert.equal(second.get('DestinationRule', 'default', 'reviews')?.metadata.generation, 2);
    assert.equal(second.get('DestinationRule', 'default', 'reviews')?.metadata.resourceVersion, '2');
    assert.equal(second.ownerOf('DestinationRule', 'default', 'from-file'), 'dir:/etc/shoal');
    // The same files again change nothing: no new version after a restart.
    const again = await second.replaceOwned('dir:/etc/shoal', [dr('from-file', 'x')]);
    assert.deepEqual(again.changes, []);
    assert.equal(second.version, 4);
    const mode = (await stat(join(dir, CONFIG_FILE))).mode & 0o777;
    assert.equal(mode, 0o600);
  });

  it('does not accept an apply it cannot save, and keeps what it had', async () => {
    const blocked = join(dir, 'data');
    const store = new MemoryConfigStore({ validator, dataDir: new DataDir(blocked) });
    await writeFile(blocked, 'a file where the data dir should be');
    await assert.rejects(store.apply([dr('a', 'a')]), /EEXIST|ENOTDIR/);
    assert.equal(store.version, 0);
    assert.deepEqual(store.list(), []);
  });

  it('refuses to start on a damaged saved config, naming the file', async () => {
    await writeFile(
      join(dir, CONFIG_FILE),
      '{"format":"shoal.config/v1","version":1,"entries":[{"owner":"api"}]}',
    );
    assert.throws(
      () => new MemoryConfigStore({ validator, dataDir: new DataDir(dir) }),
      (err: unknown) =>
        err instanceof RpcError &&
        err.code === Code.FAILED_PRECONDITION &&
        err.message.includes(join(dir, CONFIG_FILE)) &&
        /entries\[0\]: needs owner, object\.kind/.test(err.message),
    );
    await writeFile(join(dir, CONFIG_FILE), '{"version": ');
    assert.throws(() => new MemoryConfigStore({ validator, dataDir: new DataDir(dir) }), /not JSON/);
  });
});
