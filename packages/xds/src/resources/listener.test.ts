import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { anyPack, durationFromMs } from '@bufbuild/protobuf/wkt';
import * as envoy from '../envoy.js';
import type { DecodeResult } from './decode-result.js';
import { decodeListener, type XdsListener } from './listener.js';

type HcmInit = MessageInitShape<typeof envoy.HttpConnectionManagerSchema>;
type ListenerInit = MessageInitShape<typeof envoy.ListenerSchema>;

const router = {
  name: 'envoy.filters.http.router',
  configType: {
    case: 'typedConfig' as const,
    value: anyPack(envoy.RouterSchema, create(envoy.RouterSchema)),
  },
};
const fault = (init: MessageInitShape<typeof envoy.HTTPFaultSchema>) => ({
  name: 'envoy.filters.http.fault',
  configType: {
    case: 'typedConfig' as const,
    value: anyPack(envoy.HTTPFaultSchema, create(envoy.HTTPFaultSchema, init)),
  },
});
const rds: HcmInit['routeSpecifier'] = {
  case: 'rds',
  value: {
    configSource: { configSourceSpecifier: { case: 'ads', value: {} } },
    routeConfigName: 'greeter:50051',
  },
};

const hcmAny = (init: HcmInit) =>
  anyPack(envoy.HttpConnectionManagerSchema, create(envoy.HttpConnectionManagerSchema, init));

function decode(init: ListenerInit): DecodeResult<XdsListener> {
  return decodeListener(anyPack(envoy.ListenerSchema, create(envoy.ListenerSchema, init)));
}

function client(hcm: HcmInit): DecodeResult<XdsListener> {
  return decode({ name: 'greeter:50051', apiListener: { apiListener: hcmAny(hcm) } });
}

function errorsOf(r: DecodeResult<XdsListener>): readonly string[] {
  assert.equal(r.ok, false, 'expected errors');
  return r.ok ? [] : r.errors;
}

interface ChainInit {
  name?: string;
  filterChainMatch?: MessageInitShape<typeof envoy.FilterChainMatchSchema>;
  filters?: MessageInitShape<typeof envoy.FilterSchema>[];
  transportSocket?: MessageInitShape<typeof envoy.TransportSocketSchema>;
}

const serverChain = (init: ChainInit = {}): MessageInitShape<typeof envoy.FilterChainSchema> => ({
  name: 'inbound',
  filters: [
    {
      name: 'envoy.filters.network.http_connection_manager',
      configType: {
        case: 'typedConfig' as const,
        value: hcmAny({ routeSpecifier: rds, httpFilters: [router] }),
      },
    },
  ],
  ...init,
});

const address = {
  address: {
    case: 'socketAddress' as const,
    value: { address: '0.0.0.0', portSpecifier: { case: 'portValue' as const, value: 8080 } },
  },
};

describe('decodeListener: client (api_listener)', () => {
  it('decodes RDS over ADS, the filter chain and the default max stream duration', () => {
    const r = client({
      routeSpecifier: rds,
      httpFilters: [
        fault({
          delay: {
            faultDelaySecifier: { case: 'fixedDelay', value: durationFromMs(250) },
            percentage: { numerator: 5, denominator: 1 },
          },
          abort: { errorType: { case: 'grpcStatus', value: 4 }, percentage: { numerator: 100 } },
          maxActiveFaults: 7,
        }),
        router,
      ],
      commonHttpProtocolOptions: { maxStreamDuration: durationFromMs(1500) },
    });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.equal(r.name, 'greeter:50051');
    assert.ok(r.value.kind === 'client');
    assert.deepEqual(r.value.http.route, { kind: 'rds', routeConfigName: 'greeter:50051' });
    assert.equal(r.value.http.maxStreamDurationMs, 1500);
    assert.deepEqual(
      r.value.http.httpFilters.map((f) => f.name),
      ['envoy.filters.http.fault', 'envoy.filters.http.router'],
    );
    assert.deepEqual(r.value.http.httpFilters[0]?.config, {
      delay: { fixedDelayMs: 250, fromHeader: false, percentage: { perMillion: 500, denominator: 10_000 } },
      abort: { grpcCode: 4, fromHeader: false, percentage: { perMillion: 1_000_000, denominator: 100 } },
      maxActiveFaults: 7,
      headers: [],
    });
  });

  it('decodes an inline route_config and skips optional unknown filters', () => {
    const r = client({
      routeSpecifier: {
        case: 'routeConfig',
        value: {
          name: 'inline',
          virtualHosts: [
            {
              domains: ['*'],
              routes: [
                {
                  match: { pathSpecifier: { case: 'prefix', value: '' } },
                  action: { case: 'route', value: { clusterSpecifier: { case: 'cluster', value: 'c' } } },
                },
              ],
            },
          ],
        },
      },
      httpFilters: [
        {
          name: 'rbac',
          isOptional: true,
          configType: { case: 'typedConfig', value: { typeUrl: 'type.googleapis.com/x.Rbac' } },
        },
        router,
      ],
    });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.ok(r.value.kind === 'client' && r.value.http.route.kind === 'inline');
    assert.equal(r.value.http.route.routeConfig.virtualHosts[0]?.routes[0]?.match.path.kind, 'prefix');
    assert.deepEqual(
      r.value.http.httpFilters.map((f) => f.name),
      ['envoy.filters.http.router'],
    );
  });

  it('rejects a missing router, unknown required filters, duplicates and a non-ADS config source', () => {
    assert.deepEqual(
      errorsOf(
        client({
          routeSpecifier: { case: 'rds', value: { routeConfigName: '' } },
          httpFilters: [
            {
              name: 'x',
              configType: { case: 'typedConfig', value: { typeUrl: 'type.googleapis.com/x.Unknown' } },
            },
            { name: 'f', configType: router.configType },
            { name: 'f', configType: fault({}).configType },
            { name: 'y' },
          ],
        }),
      ),
      [
        'api_listener.api_listener.rds.config_source: must be ads or self',
        'api_listener.api_listener.rds.route_config_name: must not be empty',
        'api_listener.api_listener.http_filters[0].typed_config: unsupported client HTTP filter type.googleapis.com/x.Unknown',
        'api_listener.api_listener.http_filters[2].name: duplicate filter name "f"',
        'api_listener.api_listener.http_filters[2]: filter after the terminal filter',
        'api_listener.api_listener.http_filters[3]: typed_config is required',
        'api_listener.api_listener.http_filters: the last HTTP filter must be a terminal filter (the router)',
      ],
    );
    assert.deepEqual(errorsOf(client({ routeSpecifier: rds })), [
      'api_listener.api_listener.http_filters: at least the router filter is required',
    ]);
    assert.deepEqual(errorsOf(client({ httpFilters: [router] })), [
      'api_listener.api_listener: rds or route_config is required',
    ]);
  });

  it('rejects client-address rewriting, which gRPC cannot honour (A41)', () => {
    assert.deepEqual(
      errorsOf(
        client({
          routeSpecifier: rds,
          httpFilters: [router],
          xffNumTrustedHops: 1,
          originalIpDetectionExtensions: [{ name: 'xff' }],
        }),
      ),
      [
        'api_listener.api_listener.xff_num_trusted_hops: must be 0',
        'api_listener.api_listener.original_ip_detection_extensions: must be empty',
      ],
    );
  });

  it('rejects invalid fault configs with paths', () => {
    assert.deepEqual(
      errorsOf(
        client({
          routeSpecifier: rds,
          httpFilters: [
            fault({
              delay: { percentage: { numerator: 1 } },
              abort: { errorType: { case: 'httpStatus', value: 700 } },
              headers: [{ name: 'x' }],
            }),
            router,
          ],
        }),
      ),
      [
        'api_listener.api_listener.http_filters[0].typed_config.delay: fixed_delay or header_delay is required',
        'api_listener.api_listener.http_filters[0].typed_config.abort.http_status: 700 is not in [200, 600)',
        'api_listener.api_listener.http_filters[0].typed_config.headers[0]: header_match_specifier is required',
      ],
    );
  });

  it('rejects an api_listener that is not an HttpConnectionManager, and a nameless listener', () => {
    const r = decode({
      apiListener: { apiListener: anyPack(envoy.RouterSchema, create(envoy.RouterSchema)) },
    });
    assert.deepEqual(errorsOf(r), [
      'name: must not be empty',
      'api_listener.api_listener: expected type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager, got type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
    ]);
  });
});

describe('decodeListener: server (A36)', () => {
  it('decodes the address, filter chains, matches and the default chain', () => {
    const r = decode({
      name: 'xds.istio.io/grpc/lds/inbound/0.0.0.0:8080',
      address,
      filterChains: [
        serverChain({
          filterChainMatch: {
            prefixRanges: [{ addressPrefix: '10.0.0.0', prefixLen: 8 }],
            sourceType: 1,
            sourcePorts: [1234],
          },
        }),
        serverChain({ filterChainMatch: { serverNames: ['ignored.example'] } }),
        // gRPC drops TLS-matching chains; Shoal keeps them for TLS connections (PERMISSIVE).
        serverChain({ name: 'tls', filterChainMatch: { transportProtocol: 'tls' } }),
        serverChain({ filterChainMatch: { transportProtocol: 'quic' } }),
      ],
      defaultFilterChain: serverChain({ name: 'default' }),
    });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.ok(r.value.kind === 'server');
    assert.deepEqual(JSON.parse(JSON.stringify(r.value)), r.value);
    assert.deepEqual(r.value.address, { host: '0.0.0.0', port: 8080 });
    assert.equal(r.value.filterChains.length, 2);
    assert.deepEqual(r.value.filterChains[0]?.match, {
      prefixRanges: [{ address: '10.0.0.0', prefixLen: 8 }],
      sourceType: 'same_ip_or_loopback',
      sourcePrefixRanges: [],
      sourcePorts: [1234],
      transportProtocol: '',
    });
    assert.equal(r.value.filterChains[1]?.name, 'tls');
    assert.equal(r.value.filterChains[1]?.match.transportProtocol, 'tls');
    assert.equal(r.value.defaultFilterChain?.name, 'default');
    assert.deepEqual(r.value.defaultFilterChain?.http.route, {
      kind: 'rds',
      routeConfigName: 'greeter:50051',
    });
  });

  it('rejects bad addresses, duplicate matches, bad CIDRs and chains without exactly one HCM', () => {
    const r = decode({
      name: 'inbound',
      address: {
        address: {
          case: 'socketAddress',
          value: { address: '', portSpecifier: { case: 'namedPort', value: 'http' } },
        },
      },
      filterChains: [
        serverChain({
          filterChainMatch: {
            prefixRanges: [{ addressPrefix: 'not-an-ip' }, { addressPrefix: '::1', prefixLen: 129 }],
          },
        }),
        serverChain(),
        serverChain(),
        serverChain({ filters: [] }),
        serverChain({
          filters: [
            {
              name: 'tcp',
              configType: {
                case: 'typedConfig',
                value: anyPack(envoy.RouterSchema, create(envoy.RouterSchema)),
              },
            },
          ],
        }),
      ],
    });
    assert.deepEqual(errorsOf(r), [
      'address.socket_address.address: must not be empty',
      'address.socket_address.port_value: is required',
      'filter_chains[0].filter_chain_match.prefix_ranges[0].address_prefix: "not-an-ip" is not an IP address',
      'filter_chains[0].filter_chain_match.prefix_ranges[1].prefix_len: 129 is longer than 128',
      'filter_chains[2].filter_chain_match: overlaps filter_chains[1]: a connection could match both',
      'filter_chains[3].filters: exactly one filter (the HttpConnectionManager) is required, got 0',
      'filter_chains[4].filters[0].typed_config: expected type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    ]);
  });

  it("finds overlapping chains the way gRPC's lookup tree does, after normalising ranges", () => {
    const chain = (match: MessageInitShape<typeof envoy.FilterChainMatchSchema>) =>
      serverChain({ filterChainMatch: match });
    const r = decode({
      name: 'inbound',
      address,
      filterChains: [
        chain({
          prefixRanges: [
            { addressPrefix: '10.0.0.0', prefixLen: 8 },
            { addressPrefix: '11.0.0.0', prefixLen: 8 },
          ],
        }),
        chain({ prefixRanges: [{ addressPrefix: '10.9.9.9', prefixLen: 8 }] }),
        chain({ prefixRanges: [{ addressPrefix: '10.0.0.0', prefixLen: 16 }] }),
        chain({ sourcePorts: [1, 2] }),
        chain({ sourcePorts: [2, 3] }),
        chain({ sourcePorts: [4], sourceType: 2 }),
        chain({ prefixRanges: [{ addressPrefix: '2001:db8::1', prefixLen: 32 }] }),
        chain({ prefixRanges: [{ addressPrefix: '2001:db8:ffff::', prefixLen: 32 }] }),
        chain({ prefixRanges: [{ addressPrefix: '::ffff:10.0.0.1', prefixLen: 128 }] }),
      ],
    });
    assert.deepEqual(errorsOf(r), [
      'filter_chains[1].filter_chain_match: overlaps filter_chains[0]: a connection could match both',
      'filter_chains[4].filter_chain_match: overlaps filter_chains[3]: a connection could match both',
      'filter_chains[7].filter_chain_match: overlaps filter_chains[6]: a connection could match both',
    ]);
  });

  it('decodes a downstream TLS context and rejects one without an identity', () => {
    const tls = (init: MessageInitShape<typeof envoy.DownstreamTlsContextSchema>) => ({
      name: 'envoy.transport_sockets.tls',
      configType: {
        case: 'typedConfig' as const,
        value: anyPack(envoy.DownstreamTlsContextSchema, create(envoy.DownstreamTlsContextSchema, init)),
      },
    });
    const good = decode({
      name: 'inbound',
      address,
      filterChains: [
        serverChain({
          transportSocket: tls({
            commonTlsContext: {
              tlsCertificateProviderInstance: { instanceName: 'default', certificateName: 'id' },
              validationContextType: {
                case: 'validationContext',
                value: { caCertificateProviderInstance: { instanceName: 'default', certificateName: 'ca' } },
              },
            },
            requireClientCertificate: true,
          }),
        }),
      ],
    });
    assert.ok(good.ok && good.value.kind === 'server', good.ok ? '' : good.errors.join('\n'));
    assert.deepEqual(good.value.filterChains[0]?.tls, {
      identityCertificate: { instanceName: 'default', certificateName: 'id' },
      rootCertificate: { instanceName: 'default', certificateName: 'ca' },
      sanMatchers: [],
      requireClientCertificate: true,
    });
    const bad = decode({
      name: 'inbound',
      address,
      filterChains: [
        serverChain({ transportSocket: tls({ commonTlsContext: {}, requireClientCertificate: true }) }),
      ],
    });
    assert.deepEqual(errorsOf(bad), [
      'filter_chains[0].transport_socket.typed_config.common_tls_context: an identity certificate provider instance is required',
      'filter_chains[0].transport_socket.typed_config.require_client_certificate: needs a CA certificate provider instance',
    ]);
  });

  it('requires at least one usable chain', () => {
    assert.deepEqual(errorsOf(decode({ name: 'inbound', address })), [
      'filter_chains: a server listener needs a filter chain or a default_filter_chain',
    ]);
  });
});
