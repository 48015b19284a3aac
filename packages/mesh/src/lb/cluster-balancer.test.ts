import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code } from '@shoal/rpc';
import { seededRandom } from '@shoal/testing';
import { type ClusterOptions, decodedCluster } from '../../test/xds-fixtures.js';
import { ManualClock } from '../support/clock.js';
import { ClusterBalancer } from './cluster-balancer.js';
import { createEndpoint, type MeshEndpoint } from './endpoint.js';
import { leastRequestPolicy } from './least-request.js';
import { roundRobinPolicy } from './round-robin.js';

/** Outlier detection as @shoal/xds decodes it from a cluster. */
const outlier = (init: ClusterOptions['outlierDetection']) =>
  decodedCluster('c', { outlierDetection: init }).outlierDetection!;

const ep = (host: string, zone: string, priority: number) =>
  createEndpoint({ address: host, port: 50051, locality: { region: 'r', zone }, priority });

/** Runs `n` calls; `fails` says which endpoints answer UNAVAILABLE. Returns picks per endpoint. */
function traffic(b: ClusterBalancer, n: number, fails: (e: MeshEndpoint) => boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const p = b.pick();
    assert.ok(p, 'a pick');
    out.set(p.endpoint.key, (out.get(p.endpoint.key) ?? 0) + 1);
    b.recordResult(p.endpoint, fails(p.endpoint) ? Code.UNAVAILABLE : Code.OK);
    p.done?.();
  }
  return out;
}

describe('ClusterBalancer', () => {
  it('ejects a failing instance, routes around it, and takes it back after the ejection time', () => {
    const clock = new ManualClock();
    const events: string[] = [];
    const b = new ClusterBalancer({
      policy: roundRobinPolicy({}, 'lb'),
      random: seededRandom(1),
      clock,
      outlierDetection: outlier({ baseEjectionTime: durationFromMs(30_000), maxEjectionPercent: 50 }),
      onEjection: (ev) => events.push(...ev.map((e) => `${e.ejected ? 'eject' : 'return'} ${e.key}`)),
    });
    const [a, bad, c] = [ep('10.0.0.1', 'z1', 0), ep('10.0.0.2', 'z1', 0), ep('10.0.0.3', 'z1', 0)];
    b.update([a!, bad!, c!]);
    let broken = true;
    traffic(b, 30, (e) => broken && e === bad);
    assert.deepEqual(events, ['eject 10.0.0.2:50051']);
    const during = traffic(b, 300, () => false);
    assert.equal(during.get(bad!.key), undefined, 'no calls while ejected');
    broken = false;
    clock.advance(30_000);
    assert.deepEqual(events, ['eject 10.0.0.2:50051', 'return 10.0.0.2:50051']);
    const after = traffic(b, 300, () => false);
    assert.equal(after.get(bad!.key), 100);
    b.close();
  });

  it('keeps traffic in the caller’s zone, fails over when it is ejected, and comes back', () => {
    const clock = new ManualClock();
    const b = new ClusterBalancer({
      policy: roundRobinPolicy({}, 'lb'),
      random: seededRandom(2),
      clock,
      outlierDetection: outlier({ baseEjectionTime: durationFromMs(10_000), maxEjectionPercent: 100 }),
    });
    const local = [ep('10.1.0.1', 'local', 0), ep('10.1.0.2', 'local', 0)];
    const remote = [ep('10.2.0.1', 'remote', 1), ep('10.2.0.2', 'remote', 1)];
    b.update([...local, ...remote]);
    const zoneOf = (m: Map<string, number>) =>
      new Set([...m.keys()].map((k) => [...local, ...remote].find((e) => e.key === k)!.locality.zone));
    assert.deepEqual(zoneOf(traffic(b, 100, () => false)), new Set(['local']));
    // The local zone goes down: each local endpoint fails 5 times in a row and is ejected.
    let localDown = true;
    traffic(b, 20, (e) => localDown && e.locality.zone === 'local');
    assert.equal(b.ejected.size, 2);
    assert.deepEqual(zoneOf(traffic(b, 100, () => false)), new Set(['remote']));
    assert.deepEqual(
      b.state().priorities.map((p) => p.load),
      [0, 100],
    );
    localDown = false;
    clock.advance(10_000);
    assert.equal(b.ejected.size, 0);
    assert.deepEqual(zoneOf(traffic(b, 100, () => false)), new Set(['local']));
    b.close();
  });

  it('works without outlier detection and keeps least_request counts across EDS updates', () => {
    const b = new ClusterBalancer({ policy: leastRequestPolicy({}, 'lb'), random: seededRandom(3) });
    assert.equal(b.pick(), undefined, 'no endpoints yet');
    const e1 = ep('10.3.0.1', 'z', 0);
    b.update([e1]);
    const held = b.pick()!;
    b.recordResult(held.endpoint, Code.INTERNAL); // no detector: ignored
    b.update([e1, ep('10.3.0.2', 'z', 0)]);
    // e1 still has one call in flight, so the new endpoint wins every draw that includes it.
    const counts = traffic(b, 100, () => false);
    assert.ok((counts.get('10.3.0.2:50051') ?? 0) > (counts.get(e1.key) ?? 0));
    held.done?.();
    assert.deepEqual(b.state().ejected, []);
    b.close();
  });

  it('forgets an ejected endpoint that leaves EDS', () => {
    const clock = new ManualClock();
    const b = new ClusterBalancer({
      policy: roundRobinPolicy({}, 'lb'),
      random: seededRandom(4),
      clock,
      outlierDetection: outlier({ maxEjectionPercent: 100 }),
    });
    const [x, y] = [ep('10.4.0.1', 'z', 0), ep('10.4.0.2', 'z', 0)];
    b.update([x!, y!]);
    for (let i = 0; i < 5; i++) b.recordResult(x!, Code.UNAVAILABLE);
    assert.ok(b.ejected.has(x!.key));
    b.update([y!]);
    assert.equal(b.ejected.size, 0);
    assert.equal(b.pick()!.endpoint, y);
    b.close();
    assert.equal(clock.pending, 0);
  });
});
