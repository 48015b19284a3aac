// The open-streams table against a Map doing the same: ids going up by 2 as a connection's do,
// streams closing in any order, some staying open while thousands of later ids come and go
// (their slots wrap around), growth, and clear().

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamTable } from './stream-table.js';

interface Entry {
  readonly id: number;
}

function agree(table: StreamTable<Entry>, model: Map<number, Entry>, probe: number[]): void {
  assert.equal(table.size, model.size);
  for (const id of probe) assert.equal(table.get(id), model.get(id), `id ${id}`);
  const ids = table.values().map((e) => e.id);
  assert.deepEqual(
    ids.sort((a, b) => a - b),
    [...model.keys()].sort((a, b) => a - b),
  );
}

describe('StreamTable', () => {
  it('agrees with a Map through random opens and closes, long-lived streams included', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const table = new StreamTable<Entry>();
    const model = new Map<number, Entry>();
    let next = 1;
    for (let step = 0; step < 20_000; step++) {
      // Open more than close, then the other way round.
      const phase = Math.floor(step / 2500) % 2;
      if (model.size === 0 || random(100) < (phase === 0 ? 60 : 35)) {
        const entry = { id: next };
        next += 2;
        table.set(entry);
        model.set(entry.id, entry);
      } else {
        const open = [...model.keys()];
        // Ids 1 and 3 stay open throughout: every later id's run wraps past them.
        const closable = open.filter((id) => id > 3);
        if (closable.length === 0) continue;
        const id = closable[random(closable.length)]!;
        table.delete(id);
        model.delete(id);
      }
      if (step % 97 === 0) agree(table, model, [1, 3, next - 2, next, next + 2, random(next) | 1]);
    }
    agree(table, model, [...model.keys()]);
    assert.ok(model.has(1) && model.has(3));
  });

  it('deleting an id that is not there changes nothing; clear() empties it', () => {
    const table = new StreamTable<Entry>();
    const model = new Map<number, Entry>();
    for (let id = 1; id < 200; id += 2) {
      table.set({ id });
      model.set(id, { id });
    }
    table.delete(1001);
    table.delete(2);
    assert.equal(table.size, 100);
    assert.equal(table.get(199)?.id, 199);
    table.clear();
    assert.equal(table.size, 0);
    assert.equal(table.get(1), undefined);
    assert.deepEqual(table.values(), []);
    table.set({ id: 5 });
    assert.equal(table.get(5)?.id, 5);
  });
});
