import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDirectorySource, type DirectoryLoadResult } from './config-dir.js';
import { ConfigValidator } from './config-validator.js';
import { formatIssue } from './issues.js';
import { MemoryConfigStore } from './memory-config-store.js';

const validator = new ConfigValidator();

const dr = (name: string, subsets: string[]) =>
  `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ${name}}\nspec:\n  host: ${name}\n  subsets: [${subsets.map((s) => `{name: ${s}}`).join(', ')}]\n`;

/** Collects watcher reloads; `next()` waits (bounded) for the next one. */
function reloads() {
  const queue: DirectoryLoadResult[] = [];
  const waiters: ((r: DirectoryLoadResult) => void)[] = [];
  return {
    onReload(r: DirectoryLoadResult) {
      const w = waiters.shift();
      if (w) w(r);
      else queue.push(r);
    },
    /** Waits for reloads until one satisfies `pred` (a file write may fire several events). */
    async until(pred: (r: DirectoryLoadResult) => boolean): Promise<DirectoryLoadResult> {
      for (;;) {
        const result = await this.next();
        if (pred(result)) return result;
      }
    },
    next(timeoutMs = 3000): Promise<DirectoryLoadResult> {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no reload within timeout')), timeoutMs);
        waiters.push((r) => {
          clearTimeout(t);
          resolve(r);
        });
      });
    },
  };
}

describe('ConfigDirectorySource', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads every YAML/JSON file, watches, and keeps the last good config on a bad file', async () => {
    await writeFile(join(dir, 'a.yaml'), dr('reviews', ['v1']));
    await writeFile(
      join(dir, 'b.json'),
      JSON.stringify({
        apiVersion: 'networking.istio.io/v1',
        kind: 'WorkloadEntry',
        metadata: { name: 'w1' },
        spec: { address: '10.0.0.1' },
      }),
    );
    await writeFile(join(dir, 'notes.txt'), 'not config');
    const store = new MemoryConfigStore({ validator });
    const r = reloads();
    const source = new ConfigDirectorySource(store, dir, { debounceMs: 20, onReload: r.onReload });
    try {
      const first = await source.start();
      assert.equal(first.ok, true);
      assert.deepEqual(first.files, ['a.yaml', 'b.json']);
      assert.equal(store.list().length, 2);

      // A change to a file is picked up.
      await writeFile(join(dir, 'a.yaml'), dr('reviews', ['v1', 'v2']));
      const changed = await r.until(
        () => store.get('DestinationRule', 'default', 'reviews')?.spec.subsets?.length === 2,
      );
      assert.equal(changed.ok, true);
      assert.deepEqual(
        store.get('DestinationRule', 'default', 'reviews')?.spec.subsets?.map((s) => s.name),
        ['v1', 'v2'],
      );

      // A bad file is reported by name and changes nothing.
      const version = store.version;
      await writeFile(
        join(dir, 'c.yml'),
        'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec: {hosts: ["*"]}\n',
      );
      const bad = await r.until((x) => !x.ok);
      assert.equal(bad.ok, false);
      assert.deepEqual(bad.errors.map(formatIssue), [
        'c.yml:1: ServiceEntry/default/bad: spec.hosts[0]: Invalid value: "*": hostname cannot be wildcard',
      ]);
      assert.equal(store.version, version);
      assert.equal(store.get('ServiceEntry', 'default', 'bad'), undefined);

      // A syntax error too.
      await writeFile(join(dir, 'c.yml'), 'a: [\n');
      const syntax = await r.until((x) => x.errors.some((e) => e.message.includes('YAML')));
      assert.equal(syntax.ok, false);
      assert.match(formatIssue(syntax.errors[0]!), /^c\.yml:\d+: document 0: YAML syntax error at line/);

      // Removing the bad file and a good one applies the remaining set.
      await unlink(join(dir, 'c.yml'));
      await unlink(join(dir, 'b.json'));
      const last = await r.until((x) => x.ok && !store.get('WorkloadEntry', 'default', 'w1'));
      assert.equal(last.ok, true);
      assert.deepEqual(
        store.list().map((o) => o.metadata.name),
        ['reviews'],
      );
    } finally {
      source.close();
    }
  });

  it('reports a directory that does not exist', async () => {
    const store = new MemoryConfigStore({ validator });
    const source = new ConfigDirectorySource(store, join(dir, 'missing'));
    const result = await source.start();
    source.close();
    assert.equal(result.ok, false);
    assert.match(result.errors[0]?.message ?? '', /cannot read the config directory/);
  });

  it('does not delete config applied through the API, and stops reloading once closed', async () => {
    const sub = await mkdtemp(join(tmpdir(), 'shoal-config-'));
    try {
      const store = new MemoryConfigStore({ validator });
      await store.apply(dr('from-api', ['v1']));
      let reloaded = 0;
      const source = new ConfigDirectorySource(store, sub, { debounceMs: 10, onReload: () => reloaded++ });
      const first = await source.start();
      assert.equal(first.ok, true);
      assert.deepEqual(
        store.list().map((o) => o.metadata.name),
        ['from-api'],
      );
      source.close();
      await writeFile(join(sub, 'x.yaml'), dr('late', ['v1']));
      await new Promise((res) => setTimeout(res, 100));
      assert.equal(reloaded, 0);
      assert.equal(store.get('DestinationRule', 'default', 'late'), undefined);
    } finally {
      await rm(sub, { recursive: true, force: true });
    }
  });
});
