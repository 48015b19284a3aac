import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bookinfoInput } from '../../test/bookinfo-fixture.js';
import { Translator } from '../translate/translator.js';
import { Snapshot } from './snapshot.js';
import { SnapshotCache } from './snapshot-cache.js';

describe('snapshot cache', () => {
  it('hands out the snapshot last set and tells its watchers, until they stop watching', () => {
    const cache = new SnapshotCache();
    assert.equal(cache.version, '0', 'an empty snapshot before the first one is set');
    let updates = 0;
    const stop = cache.watch({ onUpdate: () => updates++ });
    const next = new Snapshot(new Translator(bookinfoInput([], { version: '2' })));
    cache.setSnapshot(next);
    assert.equal(cache.snapshot, next);
    assert.equal(cache.version, '2');
    assert.equal(updates, 1);
    stop();
    cache.setSnapshot(new Snapshot(new Translator(bookinfoInput([], { version: '3' }))));
    assert.equal(updates, 1);
    assert.equal(cache.watcherCount, 0);
  });
});
