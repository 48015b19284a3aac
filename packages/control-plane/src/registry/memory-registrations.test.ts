import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { registration } from '../../test/registration-fixture.js';
import { until } from '../../test/until.js';
import { DataDir } from '../state/data-dir.js';
import { MemoryRegistrations, REGISTRATIONS_FILE } from './memory-registrations.js';
import type { RegistrationChange } from './registration-store.js';

describe('MemoryRegistrations with a data dir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-registrations-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps instances through a restart: those that come back stay, unchanged; the others expire', async () => {
    const first = new MemoryRegistrations({ dataDir: new DataDir(dir) });
    await first.start(() => {});
    await first.register(registration({ nodeId: 'a' }));
    await first.register(registration({ nodeId: 'b', address: '127.0.0.2' }));
    await first.close(); // the process ends: saved with both
    const saved = JSON.parse(await readFile(join(dir, REGISTRATIONS_FILE), 'utf8'));
    assert.equal(saved.version, 2);

    const changes: RegistrationChange[] = [];
    const second = new MemoryRegistrations({ dataDir: new DataDir(dir), graceMs: 150 });
    await second.start((c) => changes.push(c));
    assert.equal(second.version, 2, 'the version survives');
    assert.deepEqual(
      second.registrations().map((r) => r.nodeId),
      ['a', 'b'],
    );
    await second.register(registration({ nodeId: 'a' })); // a reconnects: the same registration, no change
    assert.equal(second.version, 2);
    await until('b expired', () => second.registrations().length === 1);
    assert.deepEqual(
      changes.map((c) => [c.reason, c.nodeId]),
      [['expired', 'b']],
    );
    assert.equal(second.version, 3);
    await second.close();
  });

  it('ignores a damaged file: registrations are soft state that instances announce again', async () => {
    await writeFile(join(dir, REGISTRATIONS_FILE), 'not json');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const store = new MemoryRegistrations({ dataDir: new DataDir(dir) });
      await store.start(() => {});
      assert.deepEqual(store.registrations(), []);
      await new Promise((r) => setImmediate(r));
      assert.match(warnings.join('\n'), /ignoring .*registrations\.json/);
      await store.close();
    } finally {
      process.off('warning', onWarning);
    }
  });
});
