// Dubbo's tag router as the routes the translator sends: dubbo.tag on a call or a consumer, tag
// groups by label or address, force and dubbo.force.tag, and the fallback to untagged instances.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as docs from '../../test/dubbo-doc-rules.js';
import {
  appInput,
  type Call,
  consumer,
  instanceAddress as ep,
  shopInterface as I,
  shopPath as path,
  reachable,
} from '../../test/dubbo-harness.js';
import { Translator } from '../translate/translator.js';

const frontend = consumer('shop-frontend');

describe("Dubbo's tag router as routes", () => {
  const instances: { labels: Record<string, string> }[] = [
    { labels: { env: 'gray' } },
    { labels: { env: 'gray' } },
    { labels: {} },
    { labels: { 'dubbo.tag': 'blue' } },
  ];
  const tagged = (yaml: string) =>
    new Translator(appInput('shop-detail', [I('DetailService')], instances, yaml));
  const call = (tag?: string, force?: string): Call => ({
    path: path('DetailService', 'getItem'),
    headers: { ...(tag ? { 'dubbo.tag': tag } : {}), ...(force ? { 'dubbo.force.tag': force } : {}) },
  });

  it('dubbo.tag=gray goes to the gray group; untagged calls never reach a tagged instance', () => {
    const t = tagged(docs.GRAY_TAG);
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call('gray')), [ep(1), ep(2)]);
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call()), [ep(3)]);
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call('blue')), [ep(4)]);
  });

  it('a tag with no instance: force fails the call, otherwise it falls back to untagged ones', () => {
    const noGray = [{ labels: {} }, { labels: {} }];
    const forced = new Translator(
      appInput(
        'shop-detail',
        [I('DetailService')],
        noGray,
        docs.GRAY_TAG.replace('key: env', 'key: env').replace('exact: gray', 'exact: grey'),
      ),
    );
    // A match-defined tag with no instance has no group (Dubbo): untagged fallback unless dubbo.force.tag.
    assert.deepEqual(reachable(forced, I('DetailService'), frontend, call('gray')), [ep(1), ep(2)]);
    assert.deepEqual(reachable(forced, I('DetailService'), frontend, call('gray', 'true')), []);
    const addresses = docs
      .ISOLATION_TAG('10.0.0.7:50051', '10.0.0.2:50051')
      .replace('force: false', 'force: true')
      .replace('governance-tagrouter-provider', 'shop-detail');
    const t = new Translator(appInput('shop-detail', [I('DetailService')], noGray, addresses));
    assert.deepEqual(
      reachable(t, I('DetailService'), frontend, call('tag1')),
      [],
      'force with an empty address group',
    );
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call('tag2')), [ep(2)]);
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call()), [ep(1)]);
  });

  it('without force an empty group falls back to untagged instances, and dubbo.force.tag overrides', () => {
    const yaml = docs
      .ISOLATION_TAG('10.0.0.7:50051', '10.0.0.2:50051')
      .replace('governance-tagrouter-provider', 'shop-detail');
    const t = new Translator(
      appInput('shop-detail', [I('DetailService')], [{ labels: {} }, { labels: {} }], yaml),
    );
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call('tag1')), [ep(1)]);
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call('tag1', 'true')), []);
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call('nosuch')), [ep(1)]);
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call('nosuch', 'true')), []);
  });

  it("a consumer's own dubbo.tag label tags its calls; a|b falls back to a", () => {
    const t = tagged(docs.GRAY_TAG);
    assert.deepEqual(
      reachable(t, I('DetailService'), consumer('shop-frontend', { 'dubbo.tag': 'gray' }), call()),
      [ep(1), ep(2)],
    );
    assert.deepEqual(reachable(t, I('DetailService'), frontend, call('gray|team1')), [ep(1), ep(2)]);
  });
});
