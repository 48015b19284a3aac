import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, fromJson, toJson } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import * as envoy from '../envoy.js';
import { HTTP_CONNECTION_MANAGER_TYPE_URL } from '../type-urls.js';
import { createXdsRegistry } from './registry.js';

describe('createXdsRegistry', () => {
  it('turns resources with nested Any configs into Envoy JSON and back (CSDS, proxy-config)', () => {
    const registry = createXdsRegistry();
    const hcm = create(envoy.HttpConnectionManagerSchema, {
      routeSpecifier: {
        case: 'rds',
        value: { routeConfigName: 'r', configSource: { configSourceSpecifier: { case: 'ads', value: {} } } },
      },
      httpFilters: [
        {
          name: 'router',
          configType: { case: 'typedConfig', value: anyPack(envoy.RouterSchema, create(envoy.RouterSchema)) },
        },
      ],
    });
    const listener = create(envoy.ListenerSchema, {
      name: 'greeter:50051',
      apiListener: { apiListener: anyPack(envoy.HttpConnectionManagerSchema, hcm) },
    });
    const json = toJson(envoy.ListenerSchema, listener, { registry });
    assert.deepEqual(json, {
      name: 'greeter:50051',
      apiListener: {
        apiListener: {
          '@type': HTTP_CONNECTION_MANAGER_TYPE_URL,
          rds: { configSource: { ads: {} }, routeConfigName: 'r' },
          httpFilters: [
            {
              name: 'router',
              typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
            },
          ],
        },
      },
    });
    assert.deepEqual(fromJson(envoy.ListenerSchema, json, { registry }), listener);
  });

  it('knows the services of the xDS API', () => {
    const registry = createXdsRegistry();
    assert.ok(registry.getService('envoy.service.discovery.v3.AggregatedDiscoveryService'));
    assert.ok(registry.getService('envoy.service.status.v3.ClientStatusDiscoveryService'));
    assert.ok(registry.getMessage('google.protobuf.Duration'));
  });
});
