// Dubbo's condition router (configVersion v3.0 and v3.1) as the routes the translator sends, read
// back as what a call would reach: method, argument, host and attachment conditions, force, $
// references, and Dubbo's own v3.1 cases (ConditionStateRouterTestV31).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as docs from '../../test/dubbo-doc-rules.js';
import {
  appInput,
  type Call,
  callOutcome,
  consumer,
  instanceAddress as ep,
  shopInterface as I,
  shopPath as path,
  reachable,
} from '../../test/dubbo-harness.js';
import { GetItemRequest } from '../../test/shop-services.js';
import { Translator } from '../translate/translator.js';

const frontend = consumer('shop-frontend');

describe("Dubbo's condition router as routes (v3.0)", () => {
  const instances = [
    { labels: { region: 'Hangzhou' } },
    { labels: { region: 'Beijing' } },
    { labels: { region: 'Beijing' } },
  ];

  it('method=getComment => region=Hangzhou: that method to Hangzhou, others anywhere', () => {
    const t = new Translator(
      appInput('shop-comment', [I('CommentService')], instances, docs.CONDITION_REFERENCE),
    );
    const listener = I('CommentService');
    assert.deepEqual(reachable(t, listener, frontend, { path: path('CommentService', 'getComment') }), [
      ep(1),
    ]);
    // Java's method name against the .proto's: Dubbo's getComment is the wire's GetComment too.
    assert.deepEqual(reachable(t, listener, frontend, { path: path('CommentService', 'GetComment') }), [
      ep(1),
    ]);
    assert.deepEqual(reachable(t, listener, frontend, { path: path('CommentService', 'other') }), [
      ep(1),
      ep(2),
      ep(3),
    ]);
  });

  it('force: no instance left fails the call; without force the rule is ignored', () => {
    const beijing = instances.slice(1);
    const forced = new Translator(
      appInput('shop-comment', [I('CommentService')], beijing, docs.CONDITION_REFERENCE),
    );
    const outcome = callOutcome(forced, I('CommentService'), frontend, {
      path: path('CommentService', 'getComment'),
    });
    assert.deepEqual(
      outcome.clusters.map((c) => c.endpoints),
      [[]],
    );
    assert.match(outcome.clusters[0]!.cluster, /\|dubbo:none\|/);
    const lax = new Translator(
      appInput(
        'shop-comment',
        [I('CommentService')],
        beijing,
        docs.CONDITION_REFERENCE.replace('force: true', 'force: false'),
      ),
    );
    assert.deepEqual(
      reachable(lax, I('CommentService'), frontend, { path: path('CommentService', 'getComment') }),
      [ep(1), ep(2)],
    );
  });

  it("=> region = $region: the consumer's own region, falling back to all when it has none", () => {
    const zoned: { labels: Record<string, string>; locality?: string }[] = [
      { labels: {}, locality: 'hangzhou/hz-a/' },
      { labels: { region: 'beijing' } },
    ];
    const t = new Translator(appInput('shop-comment', [I('CommentService')], zoned, docs.REGION));
    const call: Call = { path: path('CommentService', 'getComment') };
    assert.deepEqual(
      reachable(t, I('CommentService'), consumer('shop-detail', { region: 'beijing' }), call),
      [ep(2)],
    );
    // The consumer's locality gives its region when it has no region label, as the instance's does.
    assert.deepEqual(
      reachable(t, I('CommentService'), consumer('shop-detail', {}, '10.9.0.2', 'hangzhou/hz-a'), call),
      [ep(1)],
    );
    assert.deepEqual(
      reachable(t, I('CommentService'), consumer('shop-detail', { region: 'shanghai' }), call),
      [ep(1), ep(2)],
    );
  });

  it("arguments[1]=dubbo reads the request message's field 2 (Shoal's mesh); others stay on every instance", () => {
    const detail = [{ labels: { detailVersion: 'v1' } }, { labels: { detailVersion: 'v2' } }];
    const t = new Translator(appInput('shop-detail', [I('DetailService')], detail, docs.ARGUMENTS));
    const call = (username: string): Call => ({
      path: path('DetailService', 'getItem'),
      message: { schema: GetItemRequest, init: { sku: 1n, username } },
    });
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call('dubbo')), [ep(2)]);
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call('alice')), [ep(1), ep(2)]);
    // A client that reads no arguments (gRPC's) is routed as if the argument did not match.
    assert.deepEqual(reachable(t, I('DetailService'), frontend, { path: path('DetailService', 'getItem') }), [
      ep(1),
      ep(2),
    ]);
  });

  it('host = IP for one method (request routing to one machine)', () => {
    const body = docs.HOST_BODY('10.0.0.2').replace(/\n/g, '\n  ');
    const rule = `apiVersion: dubbo.apache.org/v1alpha1\nkind: ConditionRoute\nmetadata: {name: "org.apache.dubbo.samples.UserService::.condition-router"}\nspec:\n  ${body}`;
    const t = new Translator(
      appInput('shop-user', [I('UserService')], [{ labels: {} }, { labels: {} }, { labels: {} }], rule),
    );
    assert.deepEqual(reachable(t, I('UserService'), frontend, { path: path('UserService', 'getInfo') }), [
      ep(2),
    ]);
    assert.deepEqual(reachable(t, I('UserService'), frontend, { path: path('UserService', 'login') }), [
      ep(1),
      ep(2),
      ep(3),
    ]);
  });

  it('an empty right side rejects the matching requests; an empty left side matches every request', () => {
    const rule = `scope: service\nkey: ${I('UserService')}\nforce: false\nconditions:\n  - "application=shop-frontend =>"`;
    const t = new Translator(appInput('shop-user', [I('UserService')], [{ labels: {} }], rule));
    assert.deepEqual(reachable(t, I('UserService'), frontend, { path: path('UserService', 'getInfo') }), []);
    assert.deepEqual(
      reachable(t, I('UserService'), consumer('shop-order'), { path: path('UserService', 'getInfo') }),
      [ep(1)],
    );
    const all = `scope: service\nkey: ${I('UserService')}\nconditions:\n  - "=> host != 10.0.0.1"`;
    const t2 = new Translator(
      appInput('shop-user', [I('UserService')], [{ labels: {} }, { labels: {} }], all),
    );
    assert.deepEqual(
      reachable(t2, I('UserService'), consumer('shop-order'), { path: path('UserService', 'login') }),
      [ep(2)],
    );
  });

  it('attachments, comma lists, wildcards and != on the request side', () => {
    const rule = `scope: service\nkey: ${I('UserService')}\nconditions:\n  - "method=get* & method!=getSecret & attachments[x-user]=alice,bob* => env=gray"`;
    const t = new Translator(
      appInput('shop-user', [I('UserService')], [{ labels: { env: 'gray' } }, { labels: {} }], rule),
    );
    const r = (m: string, user?: string) =>
      reachable(t, I('UserService'), frontend, {
        path: path('UserService', m),
        ...(user ? { headers: { 'x-user': user } } : {}),
      });
    assert.deepEqual(r('getInfo', 'alice'), [ep(1)]);
    assert.deepEqual(r('getInfo', 'bobby'), [ep(1)]);
    assert.deepEqual(r('getInfo', 'carol'), [ep(1), ep(2)]);
    assert.deepEqual(r('getInfo'), [ep(1), ep(2)]);
    assert.deepEqual(r('getSecret', 'alice'), [ep(1), ep(2)]);
    assert.deepEqual(r('login', 'alice'), [ep(1), ep(2)]);
  });

  it('conditions apply in order, each on what the one before left', () => {
    const rule = `scope: service\nkey: ${I('UserService')}\nconditions:\n  - "=> env != gray"\n  - "=> region = beijing"`;
    const t = new Translator(
      appInput(
        'shop-user',
        [I('UserService')],
        [
          { labels: { env: 'gray', region: 'beijing' } },
          { labels: { env: 'prod', region: 'beijing' } },
          { labels: { env: 'prod', region: 'hz' } },
        ],
        rule,
      ),
    );
    assert.deepEqual(reachable(t, I('UserService'), frontend, { path: path('UserService', 'a') }), [ep(2)]);
  });
});

describe("Dubbo's condition router v3.1 (Dubbo's own cases)", () => {
  // ConditionStateRouterTestV31's providers, one per label set.
  const labelSets: Record<string, string>[] = [
    {},
    { env: 'normal' },
    { region: 'beijing' },
    { region: 'beijing', env: 'gray' },
    { region: 'beijing', env: 'normal' },
    { region: 'hangzhou' },
    { region: 'hangzhou', env: 'gray' },
    { region: 'hangzhou', env: 'normal' },
  ];
  const instances = labelSets.map((labels) => ({ labels }));
  const grayBeijing = consumer('app', { env: 'gray', region: 'beijing' });
  const v31 = (body: string, force = false) =>
    `configVersion: v3.1\nscope: service\nkey: com.foo.BarService\nforce: ${force}\nruntime: true\nenabled: true\nconditions:\n${body}`;
  const run = (rule: string) =>
    reachable(
      new Translator(appInput('bar', ['com.foo.BarService'], instances, rule)),
      'com.foo.BarService',
      grayBeijing,
      {
        path: '/com.foo.BarService/getComment',
      },
    );
  const where = (pred: (l: Record<string, string>) => boolean) =>
    labelSets.flatMap((l, i) => (pred(l) ? [ep(i + 1)] : [])).sort();

  it('testMultiplyConditionRoute: env=gray consumers to env!=gray', () => {
    assert.deepEqual(
      run(v31('  - from: {match: env=gray}\n    to: [{match: env!=gray, weight: 100}]')),
      where((l) => l.env !== undefined && l.env !== 'gray'),
    );
  });

  it('testConsequentCondition: three conditions narrow in turn', () => {
    const rule = v31(
      '  - from: {match: env=gray}\n    to: [{match: env!=gray, weight: 100}]\n  - from: {match: region=beijing}\n    to: [{match: region=beijing, weight: 100}]\n  - from: {}\n    to: [{match: host!=10.0.0.5}]',
    );
    // Dubbo's test keeps instances on a second host; here the last condition would leave none, so
    // (without force) it is ignored and the first two decide.
    assert.deepEqual(
      run(rule),
      where((l) => l.env !== undefined && l.env !== 'gray' && l.region === 'beijing'),
    );
  });

  it('testMatchAndRouteZero: force with an empty subset leaves nothing', () => {
    assert.deepEqual(
      run(v31('  - from: {match: env=gray}\n    to: [{match: env=ErrTag, weight: 100}]', true)),
      [],
    );
  });

  it('testTrafficDisabled: a from without to rejects', () => {
    assert.deepEqual(run(v31('  - from: {match: env=gray}')), []);
  });

  it('weighted subsets become weighted clusters', () => {
    const rule = v31(
      '  - from: {match: env=gray}\n    to:\n      - {match: region=beijing, weight: 100}\n      - {match: region=hangzhou, weight: 300}',
    );
    const out = callOutcome(
      new Translator(appInput('bar', ['com.foo.BarService'], instances, rule)),
      'com.foo.BarService',
      grayBeijing,
      {
        path: '/com.foo.BarService/getComment',
      },
    );
    assert.deepEqual(
      out.clusters.map((c) => [c.weight, c.endpoints]),
      [
        [2500, where((l) => l.region === 'beijing')],
        [7500, where((l) => l.region === 'hangzhou')],
      ],
    );
  });
});
