import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalized, setWeight } from './weights.js';

const sum = (w: number[]) => w.reduce((a, b) => a + b, 0);

describe('weight sliders', () => {
  it('moving one slider keeps the sum at 100', () => {
    assert.deepEqual(setWeight([100, 0], 1, 20), [80, 20]);
    assert.deepEqual(setWeight([80, 20], 0, 50), [50, 50]);
    assert.deepEqual(setWeight([50, 25, 25], 0, 40), [40, 30, 30]);
    assert.deepEqual(setWeight([100, 0, 0], 0, 40), [40, 30, 30]);
    assert.deepEqual(setWeight([34, 33, 33], 2, 0), [51, 49, 0]);
  });

  it('clamps to 0..100 and rounds to whole percents, for any input', () => {
    assert.deepEqual(setWeight([50, 50], 0, 150), [100, 0]);
    assert.deepEqual(setWeight([50, 50], 0, -3), [0, 100]);
    for (let n = 2; n <= 6; n++) {
      for (let v = 0; v <= 100; v += 7) {
        const w = setWeight(
          Array.from({ length: n }, (_, i) => i * 3),
          n - 1,
          v + 0.4,
        );
        assert.equal(sum(w), 100, `${n} sliders, ${v}: ${w}`);
        assert.equal(w[n - 1], v);
        assert.ok(w.every((x) => Number.isInteger(x) && x >= 0));
      }
    }
    assert.deepEqual(setWeight([7], 0, 20), [100]);
  });

  it('normalizes weights that do not sum to 100 to an even split', () => {
    assert.deepEqual(normalized([80, 20]), [80, 20]);
    assert.equal(sum(normalized([1, 1, 1])), 100);
    assert.deepEqual(normalized([0, 0]), [50, 50]);
  });
});
