import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDuration, parseDurationMs, parseDurationNanos } from './durations.js';

describe('durations', () => {
  it('reads Go and protobuf JSON forms', () => {
    assert.equal(parseDurationMs('1.5s'), 1500);
    assert.equal(parseDurationMs('100ms'), 100);
    assert.equal(parseDurationMs('1h30m'), 5_400_000);
    assert.equal(parseDurationMs('2m0.5s'), 120_500);
    assert.equal(parseDurationMs('.5s'), 500);
    assert.equal(parseDurationNanos('250us'), 250_000);
    assert.equal(parseDurationNanos('0'), 0);
    assert.equal(parseDurationNanos('-1s'), -1e9);
  });

  it('rejects what is not a duration', () => {
    for (const bad of ['', '10', 's', '1.5', '1x', '1s2', '1 s', 'abc']) {
      assert.equal(typeof parseDurationNanos(bad), 'string', bad);
    }
    assert.throws(() => parseDurationMs('fast'), /invalid duration "fast"/);
  });

  it("applies Istio's range and precision rule", () => {
    assert.equal(checkDuration('1ms'), undefined);
    assert.equal(checkDuration('7s'), undefined);
    assert.equal(checkDuration('500us'), 'duration must be greater than 1ms');
    assert.equal(checkDuration('-1s'), 'duration must be greater than 1ms');
    assert.equal(checkDuration('1.0005s'), 'only durations to ms precision are supported');
  });
});
