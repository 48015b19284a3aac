// Dubbo's seven traffic-management tasks (dubbo.apache.org, "Traffic Management") end to end:
// the rules as Dubbo's documentation writes them, applied with `shoal apply` to a real `shoal cp`,
// Shoal providers registered over xDS and Shoal consumers dialling interface names. Each task
// checks where the calls go before and after its rule.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ShopMesh as Mesh, ShopMesh, settle, tally } from './shop-mesh.js';

/** The rules of Dubbo's documentation (packages/control-plane/test/dubbo-rules, see its README). */
const RULES = fileURLToPath(new URL('../../../packages/control-plane/test/dubbo-rules/', import.meta.url));
const rule = (file: string, values: Record<string, string> = {}) =>
  Object.entries(values).reduce(
    (text, [k, v]) => text.replaceAll(`{${k}}`, v),
    readFileSync(RULES + file, 'utf8'),
  );

/** A body without key, with Dubbo Admin's rule key as the name (the form CONFIG.md describes). */
const named = (kind: string, name: string, body: string) =>
  `apiVersion: dubbo.apache.org/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  ${body.trimEnd().replace(/\n/g, '\n  ')}\n`;

const weight = rule('weight.yaml');
// The timeout task's body is for 2000 ms; the same rule at 1000 ms stands for Dubbo's default.
const timeoutRule = (ms: number) =>
  named(
    'DynamicConfig',
    'org.apache.dubbo.samples.UserService::.configurators',
    rule('timeout-body.yaml').replace('timeout: 2000', `timeout: ${ms}`),
  );
const hostRule = (ip: string) =>
  named(
    'ConditionRoute',
    'org.apache.dubbo.samples.UserService::.condition-router',
    rule('host-body.yaml', { ip }),
  );
const argumentsRule = rule('arguments.yaml');
const regionRule = rule('region.yaml');
const kickOut = (address: string) => rule('kick-out.yaml', { address });
const grayTag = rule('gray-tag.yaml');
// The docs' template names an app governance-tagrouter-provider; here it is the shop's shop-order.
const isolationTag = (tag1: string, tag2: string) =>
  rule('isolation-tag.yaml', { tag1, tag2 }).replace('key: governance-tagrouter-provider', 'key: shop-order');

const only = (counts: Record<string, number>, ...ids: string[]) =>
  Object.keys(counts).every((k) => ids.includes(k)) && ids.every((id) => (counts[id] ?? 0) > 0);

describe("Dubbo's traffic tasks through shoal cp, with Dubbo's YAML", () => {
  let mesh: Mesh;
  before(async () => {
    mesh = await ShopMesh.start();
  });
  after(async () => {
    await mesh?.stop();
  });

  it("weight: v2 of OrderService at weight 25 against v1's 100 takes a fifth of the calls", async () => {
    await mesh.provider('shop-order', 'order-v1', ['OrderService'], { orderVersion: 'v1' });
    await mesh.provider('shop-order', 'order-v2', ['OrderService'], { orderVersion: 'v2' });
    const c = mesh.consumer('shop-frontend', 'OrderService');
    const call = () => c.createOrder({ sku: 1n, count: 1 });
    await settle(
      40,
      call,
      (n) => only(n, 'order-v1', 'order-v2') && Math.abs((n['order-v1'] ?? 0) - (n['order-v2'] ?? 0)) <= 2,
      'both versions equally',
    );
    const out = await mesh.apply(weight);
    assert.match(
      out,
      /dynamicconfig\/default\/org\.apache\.dubbo\.samples\.OrderService::\.configurators added/,
    );
    const counts = await settle(100, call, (n) => (n['order-v2'] ?? 0) === 20, 'v2 at 25:100');
    assert.deepEqual(counts, { 'order-v1': 80, 'order-v2': 20 });
    await mesh.delete('dc', 'org.apache.dubbo.samples.OrderService::.configurators');
  });

  it('timeout: a slow login fails at 1000 ms and succeeds once the rule raises it to 2000 ms', async () => {
    await mesh.provider('shop-user', 'user-1', ['UserService']);
    const c = mesh.consumer('shop-frontend', 'UserService');
    await mesh.apply(timeoutRule(1000));
    const slow = () => c.login({ username: 'dubbo', password: 'x', delayMs: 1500 });
    await settle(1, slow, (n) => n.DEADLINE_EXCEEDED === 1, 'the 1000 ms timeout');
    await mesh.apply(timeoutRule(2000));
    await settle(1, slow, (n) => n['user-1'] === 1, 'the 2000 ms timeout');
  });

  it('request routing: every getInfo to one machine; getItem with username "dubbo" to detail v2', async () => {
    const second = await mesh.provider('shop-user', 'user-2', ['UserService']);
    const users = mesh.consumer('shop-frontend', 'UserService');
    await mesh.apply(hostRule(second.ip));
    await settle(
      20,
      () => users.getInfo({ username: 'a' }),
      (n) => only(n, 'user-2'),
      'getInfo on one machine',
    );
    const logins = await tally(20, () => users.login({ username: 'a', password: 'b', delayMs: 0 }));
    assert.ok(only(logins, 'user-1', 'user-2'), JSON.stringify(logins));

    await mesh.provider('shop-detail', 'detail-v1', ['DetailService'], { detailVersion: 'v1' });
    await mesh.provider('shop-detail', 'detail-v2', ['DetailService'], { detailVersion: 'v2' });
    const details = mesh.consumer('shop-frontend', 'DetailService');
    await mesh.apply(argumentsRule);
    await settle(
      20,
      () => details.getItem({ sku: 1n, username: 'dubbo' }),
      (n) => only(n, 'detail-v2'),
      'VIP to v2',
    );
    const others = await tally(20, () => details.getItem({ sku: 1n, username: 'alice' }));
    assert.ok(only(others, 'detail-v1', 'detail-v2'), JSON.stringify(others));
  });

  it("same-region priority: comments from the consumer's region, other regions when it has none", async () => {
    await mesh.provider('shop-comment', 'comment-hz', ['CommentService'], { region: 'hangzhou' });
    await mesh.provider('shop-comment', 'comment-bj', ['CommentService'], { region: 'beijing' });
    await mesh.apply(regionRule);
    const hz = mesh.consumer('shop-detail', 'CommentService', { region: 'hangzhou' });
    const bj = mesh.consumer('shop-detail', 'CommentService', { region: 'beijing' });
    const sh = mesh.consumer('shop-detail', 'CommentService', { region: 'shanghai' });
    await settle(
      20,
      () => hz.getComment({ sku: 1n }),
      (n) => only(n, 'comment-hz'),
      'hangzhou to hangzhou',
    );
    await settle(
      20,
      () => bj.getComment({ sku: 1n }),
      (n) => only(n, 'comment-bj'),
      'beijing to beijing',
    );
    await settle(
      20,
      () => sh.getComment({ sku: 1n }),
      (n) => only(n, 'comment-hz', 'comment-bj'),
      'shanghai anywhere',
    );
  });

  it('temporarily kicking out an instance: disabled: true on its address', async () => {
    const users = mesh.consumer('shop-frontend', 'UserService');
    const call = () => users.login({ username: 'a', password: 'b', delayMs: 0 });
    await settle(20, call, (n) => only(n, 'user-1', 'user-2'), 'both users');
    const { address } = mesh.providers.find((p) => p.id === 'user-1')!;
    await mesh.apply(kickOut(address));
    await settle(20, call, (n) => only(n, 'user-2'), 'user-1 kicked out');
    // One way to take an instance out: `shoal instance list` shows it as a disable by hand, with the
    // rule as the reason, and only the rule puts it back.
    const rule = 'DynamicConfig/default/org.apache.dubbo.samples.UserService::.configurators';
    const row = (await mesh.instance('list')).split('\n').find((l) => l.includes(address));
    assert.match(row ?? '', new RegExp(`UNHEALTHY .*disabled: true in ${rule.replace(/\./g, '\\.')}`));
    await assert.rejects(
      mesh.instance('enable', address),
      /taken out by DynamicConfig.*change or delete that rule/,
    );
    await mesh.delete('dc', 'org.apache.dubbo.samples.UserService::.configurators');
    await settle(20, call, (n) => only(n, 'user-1', 'user-2'), 'user-1 back');
  });

  it('gray release: dubbo.tag=gray reaches only the gray environment, other calls never do', async () => {
    await mesh.provider('shop-detail', 'detail-gray', ['DetailService'], {
      detailVersion: 'v2',
      env: 'gray',
    });
    await mesh.apply(grayTag);
    const details = mesh.consumer('shop-frontend', 'DetailService');
    const call = (tag?: string) => () =>
      details.getItem({ sku: 2n, username: 'x' }, tag ? { headers: { 'dubbo.tag': tag } } : {});
    await settle(20, call('gray'), (n) => only(n, 'detail-gray'), 'gray calls in gray');
    await settle(20, call(), (n) => only(n, 'detail-v1', 'detail-v2'), 'other calls outside gray');
    // A consumer in the gray environment tags its calls itself (its own dubbo.tag).
    const grayConsumer = mesh.consumer('shop-frontend', 'DetailService', { 'dubbo.tag': 'gray' });
    await settle(
      10,
      () => grayConsumer.getItem({ sku: 2n, username: 'x' }),
      (n) => only(n, 'detail-gray'),
      'the gray consumer in gray',
    );
  });

  it('isolation: tag1 and tag2 each on their own instance, untagged calls on the rest', async () => {
    const [a, b] = [
      await mesh.provider('shop-order', 'order-a', ['OrderService']),
      await mesh.provider('shop-order', 'order-b', ['OrderService']),
    ];
    await mesh.apply(isolationTag(a.address, b.address));
    const orders = mesh.consumer('shop-frontend', 'OrderService');
    const call = (tag?: string, force?: boolean) => () =>
      orders.createOrder(
        { sku: 1n, count: 1 },
        {
          headers: { ...(tag ? { 'dubbo.tag': tag } : {}), ...(force ? { 'dubbo.force.tag': 'true' } : {}) },
        },
      );
    await settle(10, call('tag1'), (n) => only(n, 'order-a'), 'tag1 on order-a');
    await settle(10, call('tag2'), (n) => only(n, 'order-b'), 'tag2 on order-b');
    await settle(
      20,
      call(),
      (n) => only(n, 'order-v1', 'order-v2'),
      'untagged calls off the tagged instances',
    );
    // A tag nobody has falls back to untagged instances, unless dubbo.force.tag says not to.
    await settle(10, call('tag3'), (n) => only(n, 'order-v1', 'order-v2'), 'tag3 falls back');
    await settle(5, call('tag3', true), (n) => n.UNAVAILABLE === 5, 'forced tag3 fails');
  });

  it("the rules are stored and shown under Dubbo's rule names (shoal get, GET /api/config)", async () => {
    const list = await mesh.get('condition-router');
    for (const name of [
      'org.apache.dubbo.samples.UserService::.condition-router',
      'org.apache.dubbo.samples.DetailService::.condition-router',
    ])
      assert.match(list, new RegExp(name.replace(/\./g, '\\.')));
    assert.match(list, /ConditionRoute/);
    const yaml = await mesh.get('tr', 'shop-detail.tag-router', '-o', 'yaml');
    assert.match(yaml, /apiVersion: dubbo\.apache\.org\/v1alpha1/);
    assert.match(yaml, /key: shop-detail/);
    const all = (await (await fetch(`http://${mesh.admin}/api/config`)).json()) as {
      items: { kind: string; metadata: { name: string } }[];
    };
    const kinds = new Set(all.items.map((i) => i.kind));
    for (const kind of ['ConditionRoute', 'TagRoute']) assert.ok(kinds.has(kind), [...kinds].join(','));
  });
});
