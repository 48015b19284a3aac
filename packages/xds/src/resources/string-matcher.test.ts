import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import * as envoy from '../envoy.js';
import { Problems } from './decode-result.js';
import { compileRe2 } from './regex.js';
import { decodeStringMatcher, stringMatcherPredicate, type XdsStringMatcher } from './string-matcher.js';

function decode(init: MessageInitShape<typeof envoy.StringMatcherSchema>) {
  const problems = new Problems();
  const m = decodeStringMatcher(create(envoy.StringMatcherSchema, init), 'm', problems);
  return { m, errors: problems.errors };
}

describe('compileRe2', () => {
  it('anchors the pattern to the whole value and accepts RE2-only spellings', () => {
    const re = compileRe2('/greet\\.v1\\.Greeter/(?P<method>Say.*)');
    assert.ok(re instanceof RegExp);
    assert.equal(re.test('/greet.v1.Greeter/SayHello'), true);
    assert.equal(re.test('x/greet.v1.Greeter/SayHello'), false);
    const i = compileRe2('(?i)abc');
    assert.ok(i instanceof RegExp && i.test('ABC'));
    const z = compileRe2('\\Aab\\z');
    assert.ok(z instanceof RegExp && z.test('ab') && !z.test('abc'));
  });

  it('rejects what RE2 rejects and what does not parse', () => {
    assert.equal(compileRe2('a(?=b)'), 'look-around is not supported by RE2');
    assert.equal(compileRe2('(a)\\1'), 'back-references are not supported by RE2');
    assert.match(String(compileRe2('[a-')), /^invalid regex "\[a-"/);
  });
});

describe('decodeStringMatcher and stringMatcherPredicate', () => {
  const cases: Array<[MessageInitShape<typeof envoy.StringMatcherSchema>, string[], string[]]> = [
    [{ matchPattern: { case: 'exact', value: 'Foo' } }, ['Foo'], ['foo', 'Foo2']],
    [{ matchPattern: { case: 'exact', value: 'Foo' }, ignoreCase: true }, ['foo', 'FOO'], ['fo']],
    [{ matchPattern: { case: 'prefix', value: 'ab' } }, ['ab', 'abc'], ['xab']],
    [{ matchPattern: { case: 'suffix', value: 'yz' } }, ['xyz'], ['yzx']],
    [{ matchPattern: { case: 'contains', value: 'mid' }, ignoreCase: true }, ['aMIDb'], ['mi']],
    [{ matchPattern: { case: 'safeRegex', value: { regex: 'v[0-9]+' } } }, ['v12'], ['v', 'xv1']],
  ];
  for (const [init, yes, no] of cases) {
    it(`matches ${JSON.stringify(init.matchPattern?.value)}${init.ignoreCase ? ' ignoring case' : ''}`, () => {
      const { m, errors } = decode(init);
      assert.deepEqual(errors, []);
      const match = stringMatcherPredicate(m as XdsStringMatcher);
      for (const v of yes) assert.equal(match(v), true, v);
      for (const v of no) assert.equal(match(v), false, v);
    });
  }

  it('reports missing patterns, empty prefixes and bad regexes with paths', () => {
    assert.deepEqual(decode({}).errors, [
      'm: match_pattern is required (exact, prefix, suffix, contains or safe_regex)',
    ]);
    assert.deepEqual(decode({ matchPattern: { case: 'prefix', value: '' } }).errors, [
      'm.prefix: must not be empty',
    ]);
    assert.deepEqual(decode({ matchPattern: { case: 'safeRegex', value: { regex: 'a(?!b)' } } }).errors, [
      'm.safe_regex.regex: look-around is not supported by RE2',
    ]);
    assert.deepEqual(
      decode({ matchPattern: { case: 'safeRegex', value: { regex: 'a' } }, ignoreCase: true }).errors,
      ['m.ignore_case: is not allowed with safe_regex'],
    );
    const problems = new Problems();
    assert.equal(decodeStringMatcher(undefined, 'san', problems), undefined);
    assert.deepEqual(problems.errors, ['san: string matcher is required']);
  });
});
