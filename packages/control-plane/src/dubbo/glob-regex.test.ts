import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRe2 } from '@shoal/xds/plugins';
import { globMatches, patternMatches } from './condition-expression.js';
import { globIntersectionRegex, globRegex, globStringMatch, intRangeRegex } from './glob-regex.js';

const re = (source: string) => {
  const r = compileRe2(source);
  assert.ok(r instanceof RegExp, String(r));
  return r;
};

describe('Dubbo value patterns as RE2', () => {
  const values = ['', 'a', 'aba', 'ab', 'ba', 'abba', 'getItem', 'getItems', 'Item', 'get', 'x.y', 'gem'];
  const globs = ['*', 'a', 'a*', '*a', 'a*a', 'ab*ba', 'get*', '*Item', 'get*m', 'x.y', 'a*b*a'];

  it('a glob regex matches exactly what Dubbo matches', () => {
    for (const g of globs) {
      const r = re(globRegex(g));
      for (const v of values) {
        if (v === '') continue; // Dubbo: an empty value matches only an empty pattern
        assert.equal(r.test(v), globMatches(g, v), `${g} ~ ${v}`);
      }
    }
  });

  it('a glob as an Istio string match', () => {
    assert.deepEqual(globStringMatch('gray'), { exact: 'gray' });
    assert.deepEqual(globStringMatch('gr*'), { prefix: 'gr' });
    assert.deepEqual(globStringMatch('*'), {});
    assert.deepEqual(globStringMatch('*y'), { regex: '.*y' });
  });

  it('the intersection of globs matches what all of them match', () => {
    for (const a of globs) {
      for (const b of globs) {
        const r = globIntersectionRegex([a, b], false);
        for (const v of values) {
          if (v === '') continue;
          const want = globMatches(a, v) && globMatches(b, v);
          const got = r === null ? false : re(r ?? '.*').test(v);
          assert.equal(got, want, `${a} & ${b} ~ ${v}: ${r}`);
        }
      }
    }
    assert.equal(globIntersectionRegex(['a*', 'b*'], false), null);
    assert.equal(globIntersectionRegex([], false), undefined);
    assert.equal(globIntersectionRegex(['GetItem', 'get*'], true), 'getitem');
  });

  it('an integer range matches exactly the integers in it', () => {
    const ranges: [number | undefined, number | undefined][] = [
      [1, 100],
      [0, 9],
      [7, 7],
      [15, 2340],
      [101, undefined],
      [undefined, 5],
      [-20, -3],
      [-5, 12],
      [0, undefined],
      [99, 1000],
    ];
    for (const [from, to] of ranges) {
      const r = re(intRangeRegex(from, to));
      const pattern = `${from ?? ''}~${to ?? ''}`;
      for (let n = -60; n <= 2500; n++) {
        assert.equal(r.test(String(n)), patternMatches(pattern, String(n)), `${pattern} ~ ${n}: ${r.source}`);
      }
      assert.equal(r.test('007'), patternMatches(pattern, '007'), 'leading zeros, as Integer.parseInt');
      assert.equal(r.test('abc'), false);
    }
  });
});
