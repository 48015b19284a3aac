import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrafficStats } from './traffic-stats.js';

describe('TrafficStats', () => {
  it('groups calls by a label over a rolling window', () => {
    let now = 0;
    const stats = new TrafficStats(1000, () => now);
    for (let i = 0; i < 80; i++) stats.record(true, 2, { version: 'v1', zone: 'zone-a' });
    for (let i = 0; i < 20; i++) stats.record(true, 10, { version: 'v2', zone: 'zone-a' });
    stats.record(false, 50, {});
    const byVersion = stats.by('version');
    assert.deepEqual(
      byVersion.map((r) => [r.group, r.callsPerSecond, r.errors]),
      [
        ['failed', 1, 1],
        ['v1', 80, 0],
        ['v2', 20, 0],
        ['all', 101, 1],
      ],
    );
    assert.equal(byVersion.find((r) => r.group === 'v2')?.p50, 10);
    assert.equal(byVersion.at(-1)?.p99, 10);
    now = 1500; // everything ages out
    assert.deepEqual(
      stats.by('zone').map((r) => r.callsPerSecond),
      [0],
    );
  });
});
