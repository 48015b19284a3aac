// Resources built with Envoy's REAL protos (protobufjs), carrying fields Shoal does not model, the
// way istiod and go-control-plane send them: the decoders must accept them and ignore the rest.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type protobuf from 'protobufjs';
import { loadRealEnvoy } from '../../test/real-envoy.js';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  DOWNSTREAM_TLS_CONTEXT_TYPE_URL,
  FAULT_TYPE_URL,
  HTTP_CONNECTION_MANAGER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  ROUTER_TYPE_URL,
  UPSTREAM_TLS_CONTEXT_TYPE_URL,
} from '../type-urls.js';
import { decodeCluster } from './cluster.js';
import { decodeClusterLoadAssignment } from './cluster-load-assignment.js';
import { decodeListener } from './listener.js';
import { decodeRouteConfiguration } from './route-configuration.js';

// protobufjs's built-in google.protobuf.Value spells its fields in camelCase (stringValue, listValue).
describe('decoding resources built with the real Envoy protos', () => {
  let root: protobuf.Root;
  const encode = (typeUrl: string, object: Record<string, unknown>) => {
    const type = root.lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
    const message = type.fromObject(object);
    assert.equal(type.verify(message), null);
    return { typeUrl, value: type.encode(message).finish() };
  };
  const any = (typeUrl: string, object: Record<string, unknown>) => {
    const { value } = encode(typeUrl, object);
    return { type_url: typeUrl, value };
  };
  const decodeAny = <T>(decode: (a: never) => T, typeUrl: string, object: Record<string, unknown>): T => {
    const { value } = encode(typeUrl, object);
    return decode({ $typeName: 'google.protobuf.Any', typeUrl, value } as never);
  };

  before(() => {
    root = loadRealEnvoy();
  });

  it('a client Listener with stats, codec and tracing settings', () => {
    const r = decodeAny(decodeListener, LISTENER_TYPE_URL, {
      name: 'echo.default.svc.cluster.local:7070',
      stat_prefix: 'ignored',
      traffic_direction: 'OUTBOUND',
      api_listener: {
        api_listener: any(HTTP_CONNECTION_MANAGER_TYPE_URL, {
          codec_type: 'AUTO',
          stat_prefix: 'outbound_0.0.0.0_7070',
          use_remote_address: { value: false },
          generate_request_id: { value: true },
          rds: {
            config_source: { ads: {}, resource_api_version: 'V3', initial_fetch_timeout: { seconds: 0 } },
            route_config_name: 'echo.default.svc.cluster.local:7070',
          },
          http_filters: [
            {
              name: 'envoy.filters.http.fault',
              typed_config: any(FAULT_TYPE_URL, {
                delay_percent_runtime: 'x',
                max_active_faults: { value: 3 },
              }),
            },
            {
              name: 'envoy.filters.http.router',
              typed_config: any(ROUTER_TYPE_URL, { start_child_span: true }),
            },
          ],
          common_http_protocol_options: { idle_timeout: { seconds: 3600 } },
        }),
      },
    });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.ok(r.value.kind === 'client');
    assert.deepEqual(r.value.http.route, {
      kind: 'rds',
      routeConfigName: 'echo.default.svc.cluster.local:7070',
    });
    assert.deepEqual(r.value.http.httpFilters[0]?.config, { maxActiveFaults: 3, headers: [] });
  });

  it("istiod's inbound Listener for an xDS-enabled gRPC server, with mTLS (deprecated provider fields)", () => {
    const r = decodeAny(decodeListener, LISTENER_TYPE_URL, {
      name: 'xds.istio.io/grpc/lds/inbound/0.0.0.0:7070',
      address: { socket_address: { address: '0.0.0.0', port_value: 7070 } },
      filter_chains: [
        {
          name: 'inbound-mtls',
          filters: [
            {
              name: 'inbound-hcmmtls',
              typed_config: any(HTTP_CONNECTION_MANAGER_TYPE_URL, {
                route_config: {
                  name: 'inbound',
                  virtual_hosts: [
                    { domains: ['*'], routes: [{ match: { prefix: '/' }, non_forwarding_action: {} }] },
                  ],
                },
                http_filters: [{ name: 'envoy.filters.http.router', typed_config: any(ROUTER_TYPE_URL, {}) }],
              }),
            },
          ],
          transport_socket: {
            name: 'envoy.transport_sockets.tls',
            typed_config: any(DOWNSTREAM_TLS_CONTEXT_TYPE_URL, {
              require_client_certificate: { value: true },
              common_tls_context: {
                tls_certificate_certificate_provider_instance: {
                  instance_name: 'default',
                  certificate_name: 'default',
                },
                combined_validation_context: {
                  default_validation_context: {},
                  validation_context_certificate_provider_instance: {
                    instance_name: 'default',
                    certificate_name: 'ROOTCA',
                  },
                },
              },
            }),
          },
        },
      ],
    });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.ok(r.value.kind === 'server');
    const chain = r.value.filterChains[0];
    assert.ok(chain?.http.route.kind === 'inline');
    assert.deepEqual(chain.http.route.routeConfig.virtualHosts[0]?.routes[0]?.action, {
      kind: 'non_forwarding',
    });
    assert.deepEqual(chain.tls, {
      identityCertificate: { instanceName: 'default', certificateName: 'default' },
      rootCertificate: { instanceName: 'default', certificateName: 'ROOTCA' },
      sanMatchers: [],
      requireClientCertificate: true,
    });
  });

  it('a RouteConfiguration with decorators, header mutations and deprecated timeouts', () => {
    const r = decodeAny(decodeRouteConfiguration, ROUTE_CONFIGURATION_TYPE_URL, {
      name: 'echo.default.svc.cluster.local:7070',
      validate_clusters: { value: false },
      virtual_hosts: [
        {
          name: 'echo.default.svc.cluster.local:7070',
          domains: ['echo.default.svc.cluster.local', 'echo', 'echo.default.svc.cluster.local:7070'],
          include_request_attempt_count: true,
          routes: [
            {
              name: 'default',
              decorator: { operation: 'echo.default.svc.cluster.local:7070/*' },
              match: { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] },
              request_headers_to_add: [{ header: { key: 'x-a', value: 'b' } }],
              route: {
                cluster: 'outbound|7070||echo.default.svc.cluster.local',
                timeout: { seconds: 0 },
                max_grpc_timeout: { seconds: 0 },
                retry_policy: {
                  retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
                  num_retries: { value: 2 },
                  retry_host_predicate: [{ name: 'envoy.retry_host_predicates.previous_hosts' }],
                  host_selection_retry_max_attempts: 5,
                },
                max_stream_duration: {
                  max_stream_duration: { seconds: 5 },
                  grpc_timeout_header_max: { seconds: 5 },
                },
              },
            },
          ],
        },
      ],
    });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    const route = r.value.virtualHosts[0]?.routes[0];
    assert.ok(route?.action.kind === 'route');
    assert.deepEqual(route.action.clusters, [
      { name: 'outbound|7070||echo.default.svc.cluster.local', weight: 1, filterOverrides: {}, headers: {} },
    ]);
    // Envoy's deprecated `append` unset: APPEND_IF_EXISTS_OR_ADD.
    assert.deepEqual(route.headers, {
      request: { remove: [], add: [{ name: 'x-a', value: 'b', append: 'append', keepEmptyValue: false }] },
    });
    assert.equal(route.action.timeoutMs, 0);
    assert.equal(route.action.maxStreamDurationMs, 5000);
    assert.deepEqual(route.action.retryPolicy?.retryOn, [14, 1]);
    assert.equal(route.action.retryPolicy?.maxAttempts, 3);
    assert.equal(route.match.headers[0]?.name, 'end-user');
  });

  it('a Cluster with health checks, DNS settings and an mTLS transport socket', () => {
    const r = decodeAny(decodeCluster, CLUSTER_TYPE_URL, {
      name: 'outbound|7070|v1|echo.default.svc.cluster.local',
      type: 'EDS',
      eds_cluster_config: {
        eds_config: { ads: {}, resource_api_version: 'V3' },
        service_name: 'outbound|7070|v1|echo.default.svc.cluster.local',
      },
      connect_timeout: { seconds: 10 },
      lb_policy: 'LEAST_REQUEST',
      dns_lookup_family: 'V4_ONLY',
      health_checks: [{ timeout: { seconds: 1 }, interval: { seconds: 5 } }],
      common_lb_config: { healthy_panic_threshold: { value: 0 }, locality_weighted_lb_config: {} },
      circuit_breakers: {
        thresholds: [
          { max_connections: { value: 4294967295 }, max_requests: { value: 100 }, track_remaining: true },
        ],
      },
      metadata: { filter_metadata: { istio: { fields: { services: { listValue: { values: [] } } } } } },
      transport_socket: {
        name: 'envoy.transport_sockets.tls',
        typed_config: any(UPSTREAM_TLS_CONTEXT_TYPE_URL, {
          sni: 'outbound_.7070_.v1_.echo.default.svc.cluster.local',
          common_tls_context: {
            alpn_protocols: ['istio-peer-exchange', 'istio'],
            tls_certificate_provider_instance: { instance_name: 'default', certificate_name: 'default' },
            combined_validation_context: {
              default_validation_context: {
                match_subject_alt_names: [{ exact: 'spiffe://cluster.local/ns/default/sa/echo' }],
              },
              validation_context_certificate_provider_instance: {
                instance_name: 'default',
                certificate_name: 'ROOTCA',
              },
            },
          },
        }),
      },
    });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.deepEqual(r.value.lbPolicy, { kind: 'least_request', choiceCount: 2 });
    assert.deepEqual(r.value.circuitBreakers, {
      maxRequests: 100,
      maxConnections: 4294967295,
      maxPendingRequests: 1024,
      maxRetries: 3,
    });
    assert.equal(r.value.localityWeighted, true);
    assert.deepEqual(r.value.metadata, { istio: { services: [] } });
    assert.deepEqual(r.value.tls, {
      identityCertificate: { instanceName: 'default', certificateName: 'default' },
      rootCertificate: { instanceName: 'default', certificateName: 'ROOTCA' },
      sanMatchers: [{ kind: 'exact', value: 'spiffe://cluster.local/ns/default/sa/echo', ignoreCase: false }],
      requireClientCertificate: false,
    });
  });

  it('a ClusterLoadAssignment with named endpoints, health-check configs and proximity', () => {
    const r = decodeAny(decodeClusterLoadAssignment, CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, {
      cluster_name: 'outbound|7070|v1|echo.default.svc.cluster.local',
      endpoints: [
        {
          locality: { region: 'us-east1', zone: 'us-east1-b' },
          load_balancing_weight: { value: 2 },
          proximity: { value: 1 },
          lb_endpoints: [
            {
              endpoint: {
                address: { socket_address: { address: '10.1.2.3', port_value: 7070 } },
                health_check_config: { port_value: 15021 },
              },
              health_status: 'HEALTHY',
              metadata: {
                filter_metadata: { istio: { fields: { workload: { stringValue: 'echo-v1;default' } } } },
              },
              load_balancing_weight: { value: 1 },
            },
          ],
        },
      ],
      policy: { overprovisioning_factor: { value: 140 }, endpoint_stale_after: { seconds: 30 } },
    });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    const endpoint = r.value.localities[0]?.endpoints[0];
    assert.deepEqual(endpoint?.address, { host: '10.1.2.3', port: 7070 });
    assert.equal(endpoint?.health, 'healthy');
    assert.deepEqual(endpoint?.metadata, { istio: { workload: 'echo-v1;default' } });
    assert.equal(r.value.localities[0]?.weight, 2);
  });
});
