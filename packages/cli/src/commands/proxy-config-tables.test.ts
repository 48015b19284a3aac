import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LISTENER_TYPE_URL as LDS } from '@shoal/xds';
import { resourceRows } from './proxy-config-tables.js';

// Resources in the control plane's config_dump JSON (protobuf JSON, lowerCamelCase).
const sidecarListener = {
  name: '0.0.0.0_9080',
  resource: {
    name: '0.0.0.0_9080',
    address: { socketAddress: { address: '0.0.0.0', portValue: 9080 } },
    trafficDirection: 'OUTBOUND',
    bindToPort: false,
    filterChains: [
      {
        filterChainMatch: { transportProtocol: 'raw_buffer', applicationProtocols: ['http/1.1', 'h2c'] },
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typedConfig: { rds: { routeConfigName: '9080' } },
          },
        ],
      },
    ],
    defaultFilterChain: {
      name: 'PassthroughFilterChain',
      filterChainMatch: {},
      filters: [{ name: 'envoy.filters.network.tcp_proxy', typedConfig: { cluster: 'PassthroughCluster' } }],
    },
  },
  version: '1',
  typeUrl: LDS,
};

const inbound = {
  name: 'virtualInbound',
  resource: {
    name: 'virtualInbound',
    address: { socketAddress: { address: '0.0.0.0', portValue: 15006 } },
    trafficDirection: 'INBOUND',
    filterChains: [
      {
        name: '0.0.0.0_9080',
        filterChainMatch: { destinationPort: 9080, transportProtocol: 'tls' },
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typedConfig: {
              routeConfig: { virtualHosts: [{ routes: [{ route: { cluster: 'inbound|9080||' } }] }] },
            },
          },
        ],
      },
    ],
  },
  version: '1',
  typeUrl: LDS,
};

describe('proxy-config listener table', () => {
  it("shows a sidecar's listeners chain by chain, with match and destination, as istioctl does", () => {
    const { headers, rows } = resourceRows('listener', [sidecarListener, inbound]);
    assert.deepEqual(headers, ['NAME', 'TYPE', 'ADDRESS', 'MATCH', 'DESTINATION']);
    assert.deepEqual(rows, [
      ['0.0.0.0_9080', 'SIDECAR OUTBOUND', '0.0.0.0:9080', 'raw_buffer alpn=http/1.1,h2c', 'Route: 9080'],
      [
        '0.0.0.0_9080 PassthroughFilterChain',
        'SIDECAR OUTBOUND',
        '0.0.0.0:9080',
        'ALL (default)',
        'Cluster: PassthroughCluster',
      ],
      [
        'virtualInbound 0.0.0.0_9080',
        'SIDECAR INBOUND',
        '0.0.0.0:15006',
        'port=9080 tls',
        'Inline Route: inbound|9080||',
      ],
    ]);
  });

  it('keeps one row per proxyless client listener', () => {
    const client = {
      name: 'reviews:9080',
      resource: {
        name: 'reviews:9080',
        apiListener: { apiListener: { rds: { routeConfigName: 'reviews:9080' } } },
      },
      version: '1',
      typeUrl: LDS,
    };
    assert.deepEqual(resourceRows('listener', [client]).rows, [
      ['reviews:9080', 'CLIENT', '-', 'ALL', 'Route: reviews:9080'],
    ]);
  });
});
