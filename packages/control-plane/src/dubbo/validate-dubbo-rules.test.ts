import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as docs from '../../test/dubbo-doc-rules.js';
import { errorsOf, itRejects, type RejectCase, validator, warningsOf } from '../../test/validation-cases.js';
import { loadConfigText } from '../config/load-config.js';

const load = (yaml: string) => loadConfigText(yaml, { validator });

describe("Dubbo's rules as its documentation writes them", () => {
  const cases: [string, string, string, string][] = [
    ['weight', docs.WEIGHT, 'DynamicConfig', 'org.apache.dubbo.samples.OrderService::.configurators'],
    [
      'arguments',
      docs.ARGUMENTS,
      'ConditionRoute',
      'org.apache.dubbo.samples.DetailService::.condition-router',
    ],
    [
      'same region',
      docs.REGION,
      'ConditionRoute',
      'org.apache.dubbo.samples.CommentService::.condition-router',
    ],
    ['gray tag', docs.GRAY_TAG, 'TagRoute', 'shop-detail.tag-router'],
    [
      'isolation (addresses)',
      docs.ISOLATION_TAG('127.0.0.1:20880', '127.0.0.1:20881'),
      'TagRoute',
      'governance-tagrouter-provider.tag-router',
    ],
    [
      'kick out',
      docs.KICK_OUT('10.0.0.7:20880'),
      'DynamicConfig',
      'org.apache.dubbo.samples.UserService::.configurators',
    ],
    [
      'condition reference',
      docs.CONDITION_REFERENCE,
      'ConditionRoute',
      'org.apache.dubbo.samples.CommentService::.condition-router',
    ],
    ['app configurator', docs.CONFIG_REFERENCE_APP, 'DynamicConfig', 'shop-detail.configurators'],
    [
      'service configurator',
      docs.CONFIG_REFERENCE_SERVICE,
      'DynamicConfig',
      'org.apache.dubbo.samples.UserService::.configurators',
    ],
    ['v3.1', docs.CONDITION_V31, 'ConditionRoute', 'shop::.condition-router'],
  ];
  for (const [what, yaml, kind, name] of cases) {
    it(`accepts ${what} as ${kind} ${name}`, () => {
      const r = load(yaml);
      assert.deepEqual(r.errors, []);
      assert.equal(r.objects.length, 1);
      const o = r.objects[0]!;
      assert.equal(o.kind, kind);
      assert.equal(o.apiVersion, 'dubbo.apache.org/v1alpha1');
      assert.equal(o.metadata.name, name);
      assert.equal(o.metadata.namespace, 'default');
    });
  }

  it('keeps the spec as written, with the scope it was read with', () => {
    const o = load(docs.REGION).objects[0]!;
    assert.deepEqual(o.spec, {
      configVersion: 'v3.0',
      enabled: true,
      force: false,
      key: 'org.apache.dubbo.samples.CommentService',
      scope: 'service',
      conditions: ['=> region = $region'],
    });
    assert.ok(
      warningsOf(docs.REGION).some((w) =>
        w.includes('scope: not set: key "org.apache.dubbo.samples.CommentService" is read as a service'),
      ),
    );
  });

  it('reads Dubbo mesh rules as their own kinds, apart from Istio', () => {
    const r = load(docs.MESH_WEIGHT);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.objects.map((o) => `${o.kind} ${o.apiVersion} ${o.metadata.name}`),
      [
        'DubboVirtualService service.dubbo.apache.org/v1alpha1 reviews-route',
        'DubboDestinationRule service.dubbo.apache.org/v1alpha1 reviews-route',
      ],
    );
  });

  it('asks for the key of a body without one, and takes it from the rule name', () => {
    assert.deepEqual(errorsOf(docs.TIMEOUT_BODY), [
      'document 0: key: Required value: a Dubbo rule applied as bare YAML needs its key (the service or application Dubbo Admin asks for), or write it as apiVersion: dubbo.apache.org/v1alpha1, kind: DynamicConfig, metadata.name: the rule name, spec: the rule',
    ]);
    const body = docs.TIMEOUT_BODY.replace(/\n/g, '\n  ');
    const r = load(
      `apiVersion: dubbo.apache.org/v1alpha1\nkind: DynamicConfig\nmetadata:\n  name: org.apache.dubbo.samples.UserService::.configurators\nspec:\n  ${body}`,
    );
    assert.deepEqual(r.errors, []);
    const spec = r.objects[0]!.spec as { key?: string; scope?: string };
    assert.equal(spec.key, 'org.apache.dubbo.samples.UserService::');
    assert.equal(spec.scope, 'service');
  });

  it('reports the published retry example as the YAML error it is', () => {
    const errors = errorsOf(docs.RETRY_AS_PUBLISHED);
    assert.equal(errors.length >= 1, true);
    assert.match(errors[0]!, /YAML syntax error at line 5/);
  });

  it('warns about parameters Shoal does not translate', () => {
    assert.ok(
      warningsOf(docs.CONFIG_REFERENCE_APP).some((w) =>
        w.includes('configs[0].parameters.accesslog: Shoal does not translate "accesslog"'),
      ),
    );
  });
});

const cr = (conditions: string, extra = '') =>
  `configVersion: v3.0\nscope: service\nkey: a.B\n${extra}conditions:\n${conditions}`;
const envelope = (kind: string, name: string, spec: string) =>
  `apiVersion: dubbo.apache.org/v1alpha1\nkind: ${kind}\nmetadata: {name: "${name}"}\nspec:\n${spec}`;

describe('invalid Dubbo rules', () => {
  const cases: RejectCase[] = [
    [
      'a stray => ',
      cr('  - "method=a => => region=x"'),
      'conditions[0]: Invalid value: "method=a => => region=x": unexpected "=" at index 12 before ">"',
    ],
    [
      'a value without key',
      cr('  - "=a => region=x"'),
      'conditions[0]: Invalid value: "=a => region=x": unexpected "=" at index 0 before "a"',
    ],
    [
      'a bad argument index',
      cr('  - "arguments[x]=1 => a=b"'),
      "write arguments[N], N the argument's index from 0",
    ],
    [
      'an argument on the provider side',
      cr('  - "=> arguments[0]=1"'),
      '"arguments[0]" describes the request: it belongs left of "=>"',
    ],
    ['a reversed range', cr('  - "attachments[n]=5~1 => a=b"'), '"5~1": the range starts after it ends'],
    [
      'a range on a method',
      cr('  - "method=1~5 => a=b"'),
      '"method" is a name: ranges (a~b) apply to numbers',
    ],
    [
      'an object in v3.0',
      cr('  - {from: {match: a=b}}'),
      'conditions[0]: Invalid value: {"from":{"match":"a=b"}}: a v3.0 condition is a string',
    ],
    ['no conditions', cr(' []'), 'conditions: Required value: at least one condition'],
    [
      'an unknown version',
      cr('  - "a=b => c=d"', 'configVersion: v4.0\n').replace('configVersion: v3.0\n', ''),
      'configVersion: Unsupported value: "v4.0"',
    ],
    [
      'a v3.1 weight below 0',
      'configVersion: v3.1\nscope: service\nkey: a.B\nconditions:\n  - from: {match: a=b}\n    to: [{match: c=d, weight: -1}]',
      'conditions[0].to[0].weight: Invalid value: -1',
    ],
    [
      'a v3.1 unknown field',
      'configVersion: v3.1\nscope: service\nkey: a.B\nconditions:\n  - {from: {match: a=b}, ratio: 5}',
      'conditions[0].ratio: Unknown field',
    ],
    [
      'a tag without instances',
      'key: app\ntags:\n  - name: t',
      'tags[0]: Required value: a tag selects instances by match (v3.0) or addresses',
    ],
    [
      'a tag with a bad address',
      'key: app\ntags:\n  - {name: t, addresses: ["10.0.0.300"]}',
      'tags[0].addresses[0]: Invalid value: "10.0.0.300"',
    ],
    [
      'two tags of one name',
      'key: app\ntags:\n  - {name: t, addresses: ["10.0.0.1"]}\n  - {name: t, addresses: ["10.0.0.2"]}',
      'tags[1].name: Duplicate value: "t"',
    ],
    [
      'a tag match without value',
      'configVersion: v3.0\nkey: app\ntags:\n  - {name: t, match: [{key: env}]}',
      'tags[0].match[0].value: Required value',
    ],
    [
      'a configurator without side',
      'scope: service\nkey: a.B\nconfigs:\n  - parameters: {timeout: 5}',
      'configs[0].side: Required value',
    ],
    [
      'a configurator without parameters',
      'scope: service\nkey: a.B\nconfigs:\n  - {side: provider, parameters: {}}',
      'configs[0].parameters: Required value: at least one parameter',
    ],
    [
      'a bad timeout',
      'scope: service\nkey: a.B\nconfigs:\n  - {side: provider, parameters: {timeout: 2s}}',
      'configs[0].parameters.timeout: Invalid value: "2s": must be a non-negative integer',
    ],
    [
      'an unknown load balancer',
      'scope: service\nkey: a.B\nconfigs:\n  - {side: consumer, parameters: {loadbalance: fastest}}',
      'configs[0].parameters.loadbalance: Unsupported value: "fastest"',
    ],
    [
      'an unknown side',
      'scope: service\nkey: a.B\nconfigs:\n  - {side: both, parameters: {timeout: 5}}',
      'configs[0].side: Unsupported value: "both"',
    ],
    [
      'a placeholder field from the docs',
      'scope: service\nkey: a.B\nconfigs:\n  - {side: provider, "applications/services": [], parameters: {timeout: 5}}',
      'configs[0][applications/services]: Unknown field',
    ],
    [
      'a body of two rules',
      'key: a\nconditions: ["a=b"]\ntags: []',
      'tags: Invalid value: a Dubbo rule has one of "conditions", "tags" or "configs", not "conditions" and "tags"',
    ],
    [
      'an envelope whose name is not the rule name',
      envelope('ConditionRoute', 'my-route', '  scope: application\n  key: shop\n  conditions: ["=> a=b"]'),
      'ConditionRoute/default/my-route: metadata.name: Invalid value: "my-route": a ConditionRoute with application key "shop" is named "shop.condition-router"',
    ],
    [
      'an envelope without key named otherwise',
      envelope('TagRoute', 'shop', '  tags: [{name: t, addresses: ["1.2.3.4"]}]'),
      'metadata.name: Invalid value: "shop": without spec.key the name must be the Dubbo rule name (<key>.tag-router)',
    ],
    [
      'a mesh weight inside destination',
      `apiVersion: service.dubbo.apache.org/v1alpha1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [demo]\n  dubbo:\n  - routedetail:\n    - route:\n      - destination: {host: demo, subset: v1, weight: 60}`,
      'spec.dubbo[0].routedetail[0].route[0].destination.weight: Unknown field',
    ],
  ];
  itRejects(cases);

  it('names each error by the rule name and the field as written', () => {
    assert.deepEqual(errorsOf(cr('  - "method=a => x=&y"')), [
      'ConditionRoute/default/a.B::.condition-router: conditions[0]: Invalid value: "method=a => x=&y": unexpected "=&" at index 13 before "y"',
    ]);
  });

  it('warns that $ is literal on the request side', () => {
    assert.ok(
      warningsOf(cr('  - "region=$region => a=b"')).some((w) =>
        w.includes('"$region": "$" reads the consumer\'s parameters right of "=>" only'),
      ),
    );
  });
});
