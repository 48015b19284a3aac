// The PGV validator against resources with known faults: each fault is found at its field path,
// read from the `validate.rules` annotations of Envoy's own protos.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { create, type DescMessage, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import type protobuf from 'protobufjs';
import * as envoy from '../src/envoy.js';
import { validateWithPgv } from './pgv-validator.js';
import { loadRealEnvoy } from './real-envoy.js';

let root: protobuf.Root;
const check = <D extends DescMessage>(schema: D, message: MessageShape<D>) =>
  validateWithPgv(root, schema.typeName, toBinary(schema, message)).map((v) => `${v.path}: ${v.message}`);

const hcm = (statPrefix: string) =>
  create(envoy.HttpConnectionManagerSchema, {
    statPrefix,
    routeSpecifier: {
      case: 'rds',
      value: { configSource: { configSourceSpecifier: { case: 'ads', value: {} } }, routeConfigName: 'r' },
    },
  });

describe('PGV validator (rules read from the annotations of Envoy protos)', () => {
  before(() => {
    root = loadRealEnvoy();
  });

  it('passes a valid HttpConnectionManager', () => {
    assert.deepEqual(check(envoy.HttpConnectionManagerSchema, hcm('ingress')), []);
  });

  it('string min_len and a required oneof', () => {
    const bad = create(envoy.HttpConnectionManagerSchema, { statPrefix: '' });
    assert.deepEqual(check(envoy.HttpConnectionManagerSchema, bad), [
      'route_specifier: one of its fields is required (validate.required)',
      'stat_prefix: needs at least 1 characters',
    ]);
  });

  it('repeated min_items, and item rules of strings (HTTP header values)', () => {
    const vh = create(envoy.VirtualHostSchema, { name: 'vh', domains: [] });
    assert.deepEqual(check(envoy.VirtualHostSchema, vh), ['domains: needs at least 1 items, has 0']);
    const crlf = create(envoy.VirtualHostSchema, { name: 'vh', domains: ['a\r\nb'] });
    assert.deepEqual(check(envoy.VirtualHostSchema, crlf), ['domains[0]: is not a valid HTTP_HEADER_VALUE']);
  });

  it('duration gt, enum defined_only and a wrapper range', () => {
    const cluster = create(envoy.ClusterSchema, {
      name: 'c',
      clusterDiscoveryType: { case: 'type', value: 42 as envoy.Cluster_DiscoveryType },
      connectTimeout: { seconds: 0n, nanos: 0 },
      commonLbConfig: { healthyPanicThreshold: { value: 101 } },
    });
    assert.deepEqual(check(envoy.ClusterSchema, cluster).sort(), [
      'common_lb_config.healthy_panic_threshold.value: 101 is out of range {"gte":0,"lte":100}',
      'connect_timeout: 0ns is out of range {"gt":{}}',
      'type: 42 is not a value of DiscoveryType',
    ]);
  });

  it('looks into Any values with their Envoy type, and refuses types Envoy does not know', () => {
    const listener = create(envoy.ListenerSchema, {
      name: 'l',
      filterChains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              configType: { case: 'typedConfig', value: anyPack(envoy.HttpConnectionManagerSchema, hcm('')) },
            },
            {
              name: 'unknown',
              configType: {
                case: 'typedConfig',
                value: { typeUrl: 'type.googleapis.com/istio.stats.PluginConfig', value: new Uint8Array() },
              },
            },
          ],
        },
      ],
    });
    assert.deepEqual(check(envoy.ListenerSchema, listener), [
      'filter_chains[0].filters[0].typed_config.stat_prefix: needs at least 1 characters',
      "filter_chains[0].filters[1].typed_config: holds type.googleapis.com/istio.stats.PluginConfig, which is not one of Envoy's types",
    ]);
  });

  it('header names follow the (loose) HTTP_HEADER_NAME rule, and unset oneof members are not checked', () => {
    const route = create(envoy.RouteSchema, {
      match: { pathSpecifier: { case: 'prefix', value: '/' }, headers: [{ name: 'x-a\nb' }] },
      action: { case: 'route', value: { clusterSpecifier: { case: 'cluster', value: 'c' } } },
    });
    assert.deepEqual(check(envoy.RouteSchema, route), [
      'match.headers[0].name: is not a valid HTTP_HEADER_NAME',
    ]);
  });
});
