import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, createFileRegistry } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';
import * as docs from '../../test/dubbo-doc-rules.js';
import {
  appInput,
  type Call,
  callOutcome,
  consumer,
  host,
  PORT,
  reachable,
} from '../../test/dubbo-harness.js';
import { MemoryConfigStore } from '../config/memory-config-store.js';
import { InstanceHealth } from '../registry/instance-health.js';
import { InMemoryRegistry } from '../registry/memory-registry.js';
import { buildMeshInput } from '../translate/mesh-input-builder.js';
import { Translator } from '../translate/translator.js';
import { ConfiguratorRules } from './configurator-rules.js';

const T = FieldDescriptorProto_Type;
const file = create(FileDescriptorProtoSchema, {
  name: 'detail.proto',
  package: 'org.apache.dubbo.samples',
  syntax: 'proto3',
  messageType: [
    {
      name: 'GetItemRequest',
      field: [
        {
          name: 'sku',
          jsonName: 'sku',
          number: 1,
          type: T.INT64,
          label: FieldDescriptorProto_Label.OPTIONAL,
        },
        {
          name: 'username',
          jsonName: 'username',
          number: 2,
          type: T.STRING,
          label: FieldDescriptorProto_Label.OPTIONAL,
        },
      ],
    },
  ],
});
const GetItemRequest = createFileRegistry(file, () => undefined).getMessage(
  'org.apache.dubbo.samples.GetItemRequest',
)!;

const I = (s: string) => `org.apache.dubbo.samples.${s}`;
const path = (svc: string, m: string) => `/${I(svc)}/${m}`;
const frontend = consumer('shop-frontend');
const ep = (n: number) => `10.0.0.${n}:50051`;

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

describe("Dubbo's dynamic configuration", () => {
  it("weight: v2 instances at 25 against v1's default 100", () => {
    const t = new Translator(
      appInput(
        'shop-order',
        [I('OrderService')],
        [{ labels: { orderVersion: 'v1' } }, { labels: { orderVersion: 'v2' } }],
        docs.WEIGHT,
      ),
    );
    const out = callOutcome(t, I('OrderService'), frontend, { path: path('OrderService', 'createOrder') });
    assert.deepEqual(out.clusters[0]!.endpoints, [`${ep(1)} w100`, `${ep(2)} w25`]);
  });

  it('disabled: true on an address kicks that instance out, through the registry as a disable by hand is', async () => {
    // The control plane's wiring: the store's configurators are rules of the registry's InstanceHealth.
    const store = new MemoryConfigStore();
    const backend = new InMemoryRegistry({ store, graceMs: 0 });
    for (const n of [1, 2]) {
      await backend.register({
        nodeId: `shop-user-${n}`,
        app: 'shop-user',
        namespace: 'default',
        hostname: host('shop-user'),
        address: `10.0.0.${n}`,
        port: PORT,
        interfaces: [I('UserService')],
        labels: {},
        weight: 1,
      });
    }
    const health = new InstanceHealth(backend, { rules: new ConfiguratorRules(store) });
    const events: string[] = [];
    health.subscribe((e) => events.push(`${e.reason} ${e.hostnames.join(',')}`));
    const login = () =>
      reachable(new Translator(buildMeshInput(store, health)), I('UserService'), frontend, {
        path: path('UserService', 'login'),
      });
    assert.deepEqual(login(), [ep(1), ep(2)]);

    assert.equal((await store.apply(docs.KICK_OUT(ep(2)))).changes.length, 1);
    assert.deepEqual(login(), [ep(1)]);
    const rule = store.list('DynamicConfig')[0]!.metadata;
    const expected = {
      address: ep(2),
      rule: `DynamicConfig/${rule.namespace}/${rule.name}`,
      reason: 'disabled: true',
    };
    assert.deepEqual(
      health.disabledFor({ hostname: host('shop-user'), address: '10.0.0.2', port: PORT }),
      expected,
    );
    assert.deepEqual(health.disabled(), [expected]);
    assert.deepEqual(events, [`health ${host('shop-user')}`]);
    // Only the rule puts it back: enable says which rule to change.
    assert.throws(() => health.enable(ep(2)), /taken out by DynamicConfig\/.*: change or delete that rule/);

    await store.delete('DynamicConfig', rule.namespace, rule.name);
    assert.deepEqual(login(), [ep(1), ep(2)]);
    assert.deepEqual(health.disabled(), []);
    assert.equal(events.length, 2);
    await health.close();
    await backend.close();
  });

  it("timeout and retries become the route's; consumer side over provider side", () => {
    const rules = `apiVersion: dubbo.apache.org/v1alpha1\nkind: DynamicConfig\nmetadata: {name: "${I('UserService')}::.configurators"}\nspec:\n  ${docs.TIMEOUT_BODY.replace(/\n/g, '\n  ')}\n---\n${docs.CONFIG_REFERENCE_SERVICE}`;
    const t = new Translator(appInput('shop-user', [I('UserService')], [{ labels: {} }], rules));
    const action = (node = frontend) => {
      const rc = t.resource(
        'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
        I('UserService'),
        node,
      )?.message as {
        virtualHosts: {
          routes: {
            action: {
              value: {
                maxStreamDuration?: { maxStreamDuration?: { seconds: bigint } };
                retryPolicy?: { numRetries?: { value: number } | number };
              };
            };
          }[];
        }[];
      };
      return rc.virtualHosts[0]!.routes[0]!.action.value;
    };
    assert.equal(action().maxStreamDuration?.maxStreamDuration?.seconds, 2n);
    const retries = action().retryPolicy?.numRetries;
    assert.equal(typeof retries === 'number' ? retries : retries?.value, 4);
    // shop-order is not shop-frontend: the provider side's timeout, Shoal's default retries.
    const other = action(consumer('shop-order'));
    assert.equal(other.maxStreamDuration?.maxStreamDuration?.seconds, 2n);
  });
});

describe("a Dubbo provider URL's timeout", () => {
  it('is the route timeout of its consumers when no rule sets one', () => {
    const t = new Translator(
      appInput('shop-user', [I('UserService')], [{ labels: { timeout: '3000' } }, { labels: {} }], ''),
    );
    const rc = t.resource(
      'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
      I('UserService'),
      frontend,
    )?.message as {
      virtualHosts: {
        routes: { action: { value: { maxStreamDuration?: { maxStreamDuration?: { seconds: bigint } } } } }[];
      }[];
    };
    assert.equal(
      rc.virtualHosts[0]!.routes[0]!.action.value.maxStreamDuration?.maxStreamDuration?.seconds,
      3n,
    );
  });
});

describe("Dubbo's mesh rules (service.dubbo.apache.org/v1alpha1)", () => {
  const rules = (detail: string) => `apiVersion: service.dubbo.apache.org/v1alpha1
kind: VirtualService
metadata: {name: detail-route}
spec:
  hosts: [shop-detail]
  dubbo:
    - name: detail
      services: [{exact: ${I('DetailService')}}]
      routedetail:
${detail}
---
apiVersion: service.dubbo.apache.org/v1alpha1
kind: DestinationRule
metadata: {name: detail-route}
spec:
  host: shop-detail
  subsets:
    - {name: v1, labels: {detailVersion: v1}}
    - {name: v2, labels: {detailVersion: v2}}
    - {name: v3, labels: {detailVersion: v3}}
`;
  const instances = [{ labels: { detailVersion: 'v1' } }, { labels: { detailVersion: 'v2' } }];
  const t = (detail: string) =>
    new Translator(appInput('shop-detail', [I('DetailService')], instances, rules(detail)));

  it("weights, a method match and arguments route like Dubbo's StandardMeshRuleRouter", () => {
    const tr = t(`        - name: vip
          match:
            - method:
                name_match: {exact: getItem}
                args: [{index: 1, str_value: {oneof: [{exact: dubbo}]}}]
          route:
            - destination: {host: shop-detail, subset: v2}
        - name: split
          route:
            - {destination: {host: shop-detail, subset: v1}, weight: 60}
            - {destination: {host: shop-detail, subset: v2}, weight: 40}`);
    const call = (username: string): Call => ({
      path: path('DetailService', 'getItem'),
      message: { schema: GetItemRequest, init: { username } },
    });
    assert.deepEqual(reachable(tr, I('DetailService'), frontend, call('dubbo')), [ep(2)]);
    const split = callOutcome(tr, I('DetailService'), frontend, call('alice'));
    assert.deepEqual(
      split.clusters.map((c) => [c.weight, c.cluster.split('|')[2], c.endpoints]),
      [
        [60, 'v1', [ep(1)]],
        [40, 'v2', [ep(2)]],
      ],
    );
    // Another service of the host: no Dubbo route matches, every instance.
    assert.deepEqual(reachable(tr, 'shop-detail:50051', frontend, { path: '/other.Service/x' }), [
      ep(1),
      ep(2),
    ]);
  });

  it('a destination whose subset has no instance takes its fallback', () => {
    const tr = t(`        - route:
            - destination:
                host: shop-detail
                subset: v3
                fallback: {destination: {host: shop-detail, subset: v1}}`);
    assert.deepEqual(
      reachable(tr, I('DetailService'), frontend, { path: path('DetailService', 'getItem') }),
      [ep(1)],
    );
  });
});
