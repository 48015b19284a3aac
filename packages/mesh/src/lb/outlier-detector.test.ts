import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code } from '@shoal/rpc';
import { seededRandom } from '@shoal/testing';
import { type ClusterOptions, decodedCluster } from '../../test/xds-fixtures.js';
import { ManualClock } from '../support/clock.js';
import { type EjectionEvent, OutlierDetector, outcomeFromCode } from './outlier-detector.js';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `10.9.0.${i + 1}:80`);

/** Outlier detection as @shoal/xds decodes it from a cluster (Envoy's defaults filled in). */
const outlier = (init: ClusterOptions['outlierDetection']) =>
  decodedCluster('c', { outlierDetection: init }).outlierDetection!;

function setup(settings: ClusterOptions['outlierDetection'], n = 10) {
  const clock = new ManualClock(1_000);
  const events: EjectionEvent[] = [];
  const changes: string[][] = [];
  const detector = new OutlierDetector(outlier(settings), {
    clock,
    random: seededRandom(1),
    onChange: (ejected, ev) => {
      events.push(...ev);
      changes.push([...ejected]);
    },
  });
  const ks = keys(n);
  detector.setEndpoints(ks);
  const calls = (key: string, ok: number, failed: number, outcome: 'error' | 'gateway-error' = 'error') => {
    for (let i = 0; i < ok; i++) detector.record(key, 'success');
    for (let i = 0; i < failed; i++) detector.record(key, outcome);
  };
  return { clock, detector, events, changes, ks, calls };
}

describe('outcomeFromCode', () => {
  it('follows Envoy’s gRPC→HTTP table: 5xx fail, 502–504 are gateway failures, client errors succeed', () => {
    assert.equal(outcomeFromCode(Code.OK), 'success');
    assert.equal(outcomeFromCode(Code.UNAVAILABLE), 'gateway-error');
    assert.equal(outcomeFromCode(Code.DEADLINE_EXCEEDED), 'gateway-error');
    for (const c of [Code.INTERNAL, Code.UNKNOWN, Code.DATA_LOSS, Code.UNIMPLEMENTED])
      assert.equal(outcomeFromCode(c), 'error', Code[c]);
    for (const c of [Code.INVALID_ARGUMENT, Code.NOT_FOUND, Code.CANCELLED, Code.PERMISSION_DENIED])
      assert.equal(outcomeFromCode(c), 'success', Code[c]);
  });
});

describe('OutlierDetector', () => {
  it('ejects after consecutive 5xx at once, and a success resets the count', () => {
    const { detector, events, ks, calls } = setup({ enforcingSuccessRate: 0 });
    calls(ks[0]!, 0, 4);
    calls(ks[0]!, 1, 4);
    assert.equal(detector.isEjected(ks[0]!), false);
    calls(ks[0]!, 0, 1);
    assert.equal(detector.isEjected(ks[0]!), true);
    assert.deepEqual(events, [{ key: ks[0], ejected: true, reason: 'consecutive_5xx' }]);
    detector.close();
  });

  it('ejects on consecutive gateway failures only when enforced', () => {
    const off = setup({ consecutive5xx: 100, enforcingSuccessRate: 0 });
    off.calls(off.ks[1]!, 0, 10, 'gateway-error');
    assert.equal(
      off.detector.isEjected(off.ks[1]!),
      false,
      'enforcing_consecutive_gateway_failure defaults to 0',
    );
    off.detector.close();
    const on = setup({
      consecutive5xx: 100,
      enforcingConsecutiveGatewayFailure: 100,
      consecutiveGatewayFailure: 3,
    });
    on.calls(on.ks[1]!, 0, 2, 'gateway-error');
    on.calls(on.ks[1]!, 0, 1, 'error');
    on.calls(on.ks[1]!, 0, 2, 'gateway-error');
    assert.equal(on.detector.isEjected(on.ks[1]!), false, 'a non-gateway 5xx breaks the run');
    on.calls(on.ks[1]!, 0, 1, 'gateway-error');
    assert.deepEqual(on.events, [{ key: on.ks[1], ejected: true, reason: 'consecutive_gateway_failure' }]);
    on.detector.close();
  });

  it('ejects by success rate: below mean − stdev × factor/1000, with enough volume and hosts', () => {
    const { clock, detector, events, ks, calls } = setup({
      consecutive5xx: 1000,
      successRateStdevFactor: 1000,
    });
    // Nine endpoints at 100%, one at 50%: mean 0.95, stdev 0.15, threshold 0.8.
    for (const k of ks.slice(0, 9)) calls(k, 100, 0);
    calls(ks[9]!, 50, 50);
    clock.advance(10_000);
    assert.deepEqual(events, [{ key: ks[9], ejected: true, reason: 'success_rate' }]);
    detector.close();
  });

  it('skips success rate with too few hosts or too little volume', () => {
    const few = setup({ consecutive5xx: 1000, successRateMinimumHosts: 11 });
    for (const k of few.ks.slice(0, 9)) few.calls(k, 100, 0);
    few.calls(few.ks[9]!, 0, 100);
    few.clock.advance(10_000);
    assert.equal(few.detector.ejectedKeys.size, 0);
    few.detector.close();
    const quiet = setup({ consecutive5xx: 1000 });
    for (const k of quiet.ks.slice(0, 9)) quiet.calls(k, 99, 0);
    quiet.calls(quiet.ks[9]!, 0, 99);
    quiet.clock.advance(10_000);
    assert.equal(quiet.detector.ejectedKeys.size, 0, '99 calls < request volume 100');
    quiet.detector.close();
  });

  it('ejects by failure percentage above the threshold', () => {
    const { clock, detector, events, ks, calls } = setup({
      consecutive5xx: 1000,
      enforcingSuccessRate: 0,
      enforcingFailurePercentage: 100,
      failurePercentageThreshold: 50,
      maxEjectionPercent: 100,
    });
    for (const k of ks.slice(0, 8)) calls(k, 60, 0);
    calls(ks[8]!, 25, 25); // exactly 50%: not above
    calls(ks[9]!, 20, 30); // 60%
    clock.advance(10_000);
    assert.deepEqual(events, [{ key: ks[9], ejected: true, reason: 'failure_percentage' }]);
    detector.close();
  });

  it('never ejects past max_ejection_percent, but always allows one', () => {
    const { detector, ks, calls } = setup({ enforcingSuccessRate: 0, maxEjectionPercent: 20 });
    for (const k of ks) calls(k, 0, 5);
    assert.equal(detector.ejectedKeys.size, 2);
    detector.close();
    const one = setup({ enforcingSuccessRate: 0, maxEjectionPercent: 1 });
    for (const k of one.ks) one.calls(k, 0, 5);
    assert.equal(one.detector.ejectedKeys.size, 1);
    one.detector.close();
  });

  it('honours the enforcement percentage', () => {
    const { detector, ks, calls } = setup({ enforcingConsecutive5xx: 0, enforcingSuccessRate: 0 }, 4);
    for (const k of ks) calls(k, 0, 50);
    assert.equal(detector.ejectedKeys.size, 0);
    detector.close();
  });

  it('returns an endpoint after base × times ejected, and the multiplier decays on healthy intervals', () => {
    const { clock, detector, events, changes, ks, calls } = setup({
      enforcingSuccessRate: 0,
      interval: durationFromMs(1_000),
      baseEjectionTime: durationFromMs(5_000),
      maxEjectionTime: durationFromMs(8_000),
    });
    const k = ks[0]!;
    calls(k, 0, 5);
    clock.advance(4_000);
    assert.ok(detector.isEjected(k));
    clock.advance(1_000);
    assert.ok(!detector.isEjected(k), 'back after 5 s');
    assert.deepEqual(changes.at(-1), []);
    // Ejected again at once: 2 × 5 s = 10 s, capped at 8 s.
    calls(k, 0, 5);
    clock.advance(7_000);
    assert.ok(detector.isEjected(k));
    clock.advance(1_000);
    assert.ok(!detector.isEjected(k), 'back after the 8 s cap');
    // Two healthy intervals take the multiplier from 2 to 0; the next ejection lasts 5 s again.
    clock.advance(2_000);
    calls(k, 0, 5);
    clock.advance(5_000);
    assert.ok(!detector.isEjected(k));
    assert.equal(events.filter((e) => e.ejected).length, 3);
    detector.close();
  });

  it('drops state for endpoints that go away, un-ejecting them', () => {
    const { detector, events, ks, calls } = setup({ enforcingSuccessRate: 0 });
    calls(ks[0]!, 0, 5);
    detector.setEndpoints(ks.slice(1));
    assert.equal(detector.isEjected(ks[0]!), false);
    assert.deepEqual(events.at(-1), { key: ks[0], ejected: false, reason: undefined });
    detector.record(ks[0]!, 'error'); // ignored
    detector.close();
  });

  it('owns one interval timer and stops it on close', () => {
    const { clock, detector } = setup({});
    assert.equal(clock.pending, 1);
    detector.setConfig(outlier({ interval: durationFromMs(500) }));
    assert.equal(clock.pending, 1);
    detector.close();
    assert.equal(clock.pending, 0);
  });
});
