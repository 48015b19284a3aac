import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import * as envoy from '../envoy.js';
import { Problems } from './decode-result.js';
import { createDefaultHttpFilterRegistry, decodeFilterOverrides, decodeHttpFilters } from './http-filters.js';
import { decodeRbacFilterConfig, decodeRbacFilterOverride } from './rbac-filter.js';

type RbacInit = MessageInitShape<typeof envoy.RbacFilterSchema>;

function decode(init: RbacInit) {
  const problems = new Problems();
  const config = decodeRbacFilterConfig(
    toBinary(envoy.RbacFilterSchema, create(envoy.RbacFilterSchema, init)),
    'rbac',
    problems,
  );
  return { config, errors: problems.errors };
}

const pathPrefix = (prefix: string) => ({
  rule: { case: 'path' as const, value: { matchPattern: { case: 'prefix' as const, value: prefix } } },
});

describe('decodeRbacFilterConfig (gRFC A41)', () => {
  it('decodes istio-style allow policies: methods, peers, ports and negations', () => {
    const { config, errors } = decode({
      rules: {
        action: envoy.RBAC_Action.ALLOW,
        policies: {
          'default-allow-greeter-0': {
            permissions: [
              {
                rule: {
                  case: 'andRules',
                  value: {
                    rules: [
                      { rule: { case: 'urlPath', value: pathPrefix('/greet.v1.Greeter/') } },
                      {
                        rule: { case: 'notRule', value: { rule: { case: 'destinationPort', value: 9090 } } },
                      },
                      { rule: { case: 'destinationPortRange', value: { start: 8000, end: 9000 } } },
                      { rule: { case: 'destinationIp', value: { addressPrefix: '10.0.0.0', prefixLen: 8 } } },
                      { rule: { case: 'metadata', value: {} } },
                    ],
                  },
                },
              },
            ],
            principals: [
              {
                identifier: {
                  case: 'orIds',
                  value: {
                    ids: [
                      {
                        identifier: {
                          case: 'authenticated',
                          value: {
                            principalName: {
                              matchPattern: {
                                case: 'exact',
                                value: 'spiffe://cluster.local/ns/default/sa/client',
                              },
                            },
                          },
                        },
                      },
                      { identifier: { case: 'authenticated', value: {} } },
                      {
                        identifier: {
                          case: 'directRemoteIp',
                          value: { addressPrefix: '192.168.0.0', prefixLen: 16 },
                        },
                      },
                      {
                        identifier: {
                          case: 'header',
                          value: {
                            name: ':authority',
                            headerMatchSpecifier: { case: 'presentMatch', value: true },
                          },
                        },
                      },
                    ],
                  },
                },
              },
            ],
          },
        },
      },
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(config, {
      rules: {
        action: 'allow',
        policies: {
          'default-allow-greeter-0': {
            permissions: [
              {
                kind: 'and',
                rules: [
                  {
                    kind: 'path',
                    matcher: { kind: 'prefix', value: '/greet.v1.Greeter/', ignoreCase: false },
                  },
                  { kind: 'not', rule: { kind: 'destination_port', port: 9090 } },
                  { kind: 'destination_port_range', start: 8000, end: 9000 },
                  { kind: 'destination_ip', cidr: { address: '10.0.0.0', prefixLen: 8 } },
                  { kind: 'never' },
                ],
              },
            ],
            principals: [
              {
                kind: 'or',
                ids: [
                  {
                    kind: 'authenticated',
                    principalName: {
                      kind: 'exact',
                      value: 'spiffe://cluster.local/ns/default/sa/client',
                      ignoreCase: false,
                    },
                  },
                  { kind: 'authenticated' },
                  { kind: 'remote_ip', cidr: { address: '192.168.0.0', prefixLen: 16 } },
                  {
                    kind: 'header',
                    matcher: {
                      name: ':authority',
                      match: { kind: 'present', present: true },
                      invert: false,
                      treatMissingAsEmpty: false,
                    },
                  },
                ],
              },
            ],
          },
        },
      },
    });
  });

  it('treats no rules and the LOG action as a filter that lets everything through', () => {
    assert.deepEqual(decode({}), { config: {}, errors: [] });
    assert.deepEqual(decode({ rules: { action: envoy.RBAC_Action.LOG, policies: { p: {} } } }), {
      config: {},
      errors: [],
    });
  });

  it('rejects CEL conditions, grpc- and :scheme headers, empty rules and bad ranges with paths', () => {
    const { config, errors } = decode({
      rules: {
        action: envoy.RBAC_Action.DENY,
        policies: {
          p: {
            condition: {},
            permissions: [
              {
                rule: {
                  case: 'header',
                  value: {
                    name: 'grpc-timeout',
                    headerMatchSpecifier: { case: 'presentMatch', value: true },
                  },
                },
              },
              {},
              { rule: { case: 'orRules', value: { rules: [{ rule: { case: 'urlPath', value: {} } }] } } },
            ],
            principals: [
              {
                identifier: {
                  case: 'header',
                  value: { name: ':scheme', headerMatchSpecifier: { case: 'presentMatch', value: true } },
                },
              },
              {
                identifier: {
                  case: 'notId',
                  value: {
                    identifier: { case: 'remoteIp', value: { addressPrefix: '1.2.3.4', prefixLen: 33 } },
                  },
                },
              },
            ],
          },
        },
      },
    });
    assert.equal(config, undefined);
    assert.deepEqual(errors, [
      'rbac.rules.policies[p].condition: CEL conditions are not supported',
      'rbac.rules.policies[p].permissions[0].header.name: matching on grpc-timeout is not allowed',
      'rbac.rules.policies[p].permissions[1]: rule is required (or uses a kind gRPC does not support)',
      'rbac.rules.policies[p].permissions[2].or_rules.rules[0].url_path: path is required',
      'rbac.rules.policies[p].principals[0].header.name: matching on :scheme is not allowed',
      'rbac.rules.policies[p].principals[1].not_id.remote_ip.prefix_len: 33 is longer than 32',
    ]);
  });

  it('rejects a policy without permissions or principals, and empty and/or sets (Envoy: min_items 1)', () => {
    const any = { rule: { case: 'any' as const, value: true } };
    const anyone = { identifier: { case: 'any' as const, value: true } };
    const { config, errors } = decode({
      rules: {
        action: envoy.RBAC_Action.ALLOW,
        policies: {
          'no-permissions': { principals: [anyone] },
          'no-principals': { permissions: [any] },
          'empty-sets': {
            permissions: [
              { rule: { case: 'andRules', value: { rules: [] } } },
              { rule: { case: 'notRule', value: { rule: { case: 'orRules', value: { rules: [] } } } } },
            ],
            principals: [
              { identifier: { case: 'orIds', value: { ids: [] } } },
              {
                identifier: {
                  case: 'andIds',
                  value: { ids: [anyone, { identifier: { case: 'orIds', value: {} } }] },
                },
              },
            ],
          },
          'still-fine': { permissions: [any], principals: [anyone] },
        },
      },
    });
    assert.equal(config, undefined);
    assert.deepEqual(errors, [
      'rbac.rules.policies[no-permissions].permissions: must have at least one',
      'rbac.rules.policies[no-principals].principals: must have at least one',
      'rbac.rules.policies[empty-sets].permissions[0].and_rules.rules: must have at least one',
      'rbac.rules.policies[empty-sets].permissions[1].not_rule.or_rules.rules: must have at least one',
      'rbac.rules.policies[empty-sets].principals[0].or_ids.ids: must have at least one',
      'rbac.rules.policies[empty-sets].principals[1].and_ids.ids[1].or_ids.ids: must have at least one',
    ]);
    // The same policies in a per-route override are rejected the same way.
    const problems = new Problems();
    const override = create(envoy.RbacFilterPerRouteSchema, {
      rbac: { rules: { action: envoy.RBAC_Action.DENY, policies: { p: { permissions: [any] } } } },
    });
    const decoded = decodeRbacFilterOverride(
      toBinary(envoy.RbacFilterPerRouteSchema, override),
      'override',
      problems,
    );
    assert.equal(decoded, undefined);
    assert.deepEqual(problems.errors, ['override.rbac.rules.policies[p].principals: must have at least one']);
  });

  it('rejects policies nested deeper than 64 levels', () => {
    let rule: MessageInitShape<typeof envoy.PermissionSchema> = { rule: { case: 'any', value: true } };
    for (let i = 0; i < 70; i++) rule = { rule: { case: 'notRule', value: rule } };
    const principals = [{ identifier: { case: 'any' as const, value: true } }];
    const { errors } = decode({ rules: { policies: { deep: { permissions: [rule], principals } } } });
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /not_rule: nested deeper than 64$/);
  });

  it('runs only on servers, and takes RBACPerRoute overrides', () => {
    const registry = createDefaultHttpFilterRegistry();
    const rbac = anyPack(envoy.RbacFilterSchema, create(envoy.RbacFilterSchema, { rules: { policies: {} } }));
    const router = anyPack(envoy.RouterSchema, create(envoy.RouterSchema));
    const filters = [
      create(envoy.HttpFilterSchema, {
        name: 'envoy.filters.http.rbac',
        configType: { case: 'typedConfig', value: rbac },
      }),
      create(envoy.HttpFilterSchema, { name: 'router', configType: { case: 'typedConfig', value: router } }),
    ];
    const server = new Problems();
    const decoded = decodeHttpFilters(filters, 'server', registry, 'http_filters', server);
    assert.deepEqual(server.errors, []);
    assert.deepEqual(decoded[0]?.config, { rules: { action: 'allow', policies: {} } });
    const client = new Problems();
    decodeHttpFilters(filters, 'client', registry, 'http_filters', client);
    assert.deepEqual(client.errors, [
      'http_filters[0].typed_config: unsupported client HTTP filter type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
    ]);
    const overrides = new Problems();
    const perRoute = anyPack(
      envoy.RbacFilterPerRouteSchema,
      create(envoy.RbacFilterPerRouteSchema, { rbac: { rules: { action: envoy.RBAC_Action.DENY } } }),
    );
    assert.deepEqual(
      decodeFilterOverrides({ 'envoy.filters.http.rbac': perRoute }, registry, 'o', overrides),
      {
        'envoy.filters.http.rbac': {
          typeUrl: 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute',
          config: { rules: { action: 'deny', policies: {} } },
          disabled: false,
        },
      },
    );
    assert.deepEqual(overrides.errors, []);
  });
});
