import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { anyPack, durationFromMs } from '@bufbuild/protobuf/wkt';
import * as envoy from '../envoy.js';
import { decodeCluster, type XdsCluster } from './cluster.js';
import type { DecodeResult } from './decode-result.js';

// The plain-object form of an init, so fixtures can be spread.
type ClusterInit = Exclude<MessageInitShape<typeof envoy.ClusterSchema>, envoy.Cluster>;

const ads = { configSourceSpecifier: { case: 'ads' as const, value: {} } };
const eds = (init: ClusterInit = {}): ClusterInit => ({
  name: 'outbound|50051|v1|greeter.default.svc.cluster.local',
  clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.EDS },
  edsClusterConfig: { edsConfig: ads },
  ...init,
});

function decode(init: ClusterInit): DecodeResult<XdsCluster> {
  return decodeCluster(anyPack(envoy.ClusterSchema, create(envoy.ClusterSchema, init)));
}

function ok(init: ClusterInit): XdsCluster {
  const r = decode(init);
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.value;
}

function errorsOf(init: ClusterInit): readonly string[] {
  const r = decode(init);
  assert.equal(r.ok, false, 'expected errors');
  return r.ok ? [] : r.errors;
}

describe('decodeCluster', () => {
  it('decodes an EDS cluster with gRPC defaults', () => {
    const c = ok(eds());
    assert.deepEqual(c, {
      name: 'outbound|50051|v1|greeter.default.svc.cluster.local',
      discovery: { type: 'eds', serviceName: 'outbound|50051|v1|greeter.default.svc.cluster.local' },
      lbPolicy: { kind: 'round_robin' },
      localityWeighted: false,
      circuitBreakers: { maxRequests: 1024, maxPendingRequests: 1024, maxRetries: 3 },
      lrsServer: false,
      metadata: {},
    });
  });

  it('decodes service name, policies, circuit breakers, outlier detection, TLS and metadata', () => {
    const c = ok(
      eds({
        edsClusterConfig: {
          edsConfig: { configSourceSpecifier: { case: 'self', value: {} } },
          serviceName: 'svc',
        },
        lbPolicy: envoy.Cluster_LbPolicy.RING_HASH,
        lbConfig: { case: 'ringHashLbConfig', value: { minimumRingSize: 10n, maximumRingSize: 100n } },
        connectTimeout: durationFromMs(1000),
        circuitBreakers: {
          thresholds: [
            { priority: envoy.RoutingPriority.HIGH, maxRequests: 1 },
            { maxRequests: 50, maxConnections: 10, maxPendingRequests: 5, maxRetries: 3 },
          ],
        },
        outlierDetection: {
          interval: durationFromMs(1000),
          baseEjectionTime: durationFromMs(2000),
          maxEjectionPercent: 50,
          enforcingSuccessRate: 0,
          enforcingFailurePercentage: 100,
          failurePercentageThreshold: 60,
          failurePercentageRequestVolume: 10,
          consecutive5xx: 3,
          consecutiveGatewayFailure: 2,
          enforcingConsecutiveGatewayFailure: 100,
        },
        commonLbConfig: { localityConfigSpecifier: { case: 'localityWeightedLbConfig', value: {} } },
        transportSocket: {
          name: 'envoy.transport_sockets.tls',
          configType: {
            case: 'typedConfig',
            value: anyPack(
              envoy.UpstreamTlsContextSchema,
              create(envoy.UpstreamTlsContextSchema, {
                commonTlsContext: {
                  validationContextType: {
                    case: 'combinedValidationContext',
                    value: {
                      defaultValidationContext: {
                        caCertificateProviderInstance: { instanceName: 'default', certificateName: 'ROOTCA' },
                        matchSubjectAltNames: [
                          { matchPattern: { case: 'prefix', value: 'spiffe://cluster.local/' } },
                        ],
                      },
                    },
                  },
                },
              }),
            ),
          },
        },
        lrsServer: { configSourceSpecifier: { case: 'self', value: {} } },
        metadata: { filterMetadata: { istio: { subset: 'v1' } } },
      }),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(c)), c);
    assert.deepEqual(c.discovery, { type: 'eds', serviceName: 'svc' });
    assert.deepEqual(c.lbPolicy, { kind: 'ring_hash', minRingSize: 10, maxRingSize: 100 });
    assert.equal(c.connectTimeoutMs, 1000);
    assert.equal(c.localityWeighted, true);
    assert.deepEqual(c.circuitBreakers, {
      maxRequests: 50,
      maxConnections: 10,
      maxPendingRequests: 5,
      maxRetries: 3,
    });
    assert.deepEqual(c.outlierDetection, {
      intervalMs: 1000,
      baseEjectionTimeMs: 2000,
      maxEjectionTimeMs: 300_000,
      maxEjectionPercent: 50,
      failurePercentage: { threshold: 60, enforcementPercentage: 100, minimumHosts: 5, requestVolume: 10 },
      consecutive5xx: { threshold: 3, enforcementPercentage: 100 },
      consecutiveGatewayFailure: { threshold: 2, enforcementPercentage: 100 },
    });
    assert.deepEqual(c.tls, {
      rootCertificate: { instanceName: 'default', certificateName: 'ROOTCA' },
      sanMatchers: [{ kind: 'prefix', value: 'spiffe://cluster.local/', ignoreCase: false }],
      requireClientCertificate: false,
    });
    assert.equal(c.lrsServer, true);
    assert.deepEqual(c.metadata, { istio: { subset: 'v1' } });
  });

  it('caps an ejection at max(base, max_ejection_time) (gRFC A50)', () => {
    const od = (init: ClusterInit['outlierDetection']) =>
      ok(eds({ outlierDetection: init })).outlierDetection;
    assert.equal(od({ baseEjectionTime: durationFromMs(400_000) })?.maxEjectionTimeMs, 400_000);
    assert.equal(
      od({ baseEjectionTime: durationFromMs(5_000), maxEjectionTime: durationFromMs(1_000) })
        ?.maxEjectionTimeMs,
      5_000,
    );
  });

  it('names each bad outlier detection field', () => {
    assert.deepEqual(
      errorsOf({
        name: 'c',
        clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.EDS },
        edsClusterConfig: { edsConfig: ads },
        outlierDetection: {
          interval: durationFromMs(0),
          maxEjectionPercent: 101,
          consecutive5xx: 0,
          enforcingConsecutiveGatewayFailure: 100,
          consecutiveGatewayFailure: 0,
        },
      }),
      [
        'outlier_detection.interval: must be greater than 0',
        'outlier_detection.max_ejection_percent: 101 is above 100',
        'outlier_detection.consecutive_5xx: must be at least 1 while enforced',
        'outlier_detection.consecutive_gateway_failure: must be at least 1 while enforced',
      ],
    );
    // Istio's consecutive5xxErrors: 0 (threshold 0, enforcement 0): consecutive ejection is off.
    const off = ok(eds({ outlierDetection: { consecutive5xx: 0, enforcingConsecutive5xx: 0 } }));
    assert.equal(off.outlierDetection?.consecutive5xx, undefined);
  });

  it('applies A50 defaults for success-rate ejection', () => {
    const c = ok(eds({ outlierDetection: {} }));
    assert.deepEqual(c.outlierDetection, {
      intervalMs: 10_000,
      baseEjectionTimeMs: 30_000,
      maxEjectionTimeMs: 300_000,
      maxEjectionPercent: 10,
      successRate: { stdevFactor: 1900, enforcementPercentage: 100, minimumHosts: 5, requestVolume: 100 },
      consecutive5xx: { threshold: 5, enforcementPercentage: 100 },
    });
  });

  it('decodes the other policies', () => {
    const policy = (init: ClusterInit) => ok(eds(init)).lbPolicy;
    assert.deepEqual(policy({ lbPolicy: envoy.Cluster_LbPolicy.RANDOM }), { kind: 'random' });
    assert.deepEqual(policy({ lbPolicy: envoy.Cluster_LbPolicy.LEAST_REQUEST }), {
      kind: 'least_request',
      choiceCount: 2,
    });
    assert.deepEqual(
      policy({
        lbPolicy: envoy.Cluster_LbPolicy.LEAST_REQUEST,
        lbConfig: { case: 'leastRequestLbConfig', value: { choiceCount: 50 } },
      }),
      { kind: 'least_request', choiceCount: 10 },
    );
    assert.deepEqual(policy({ lbPolicy: envoy.Cluster_LbPolicy.RING_HASH }), {
      kind: 'ring_hash',
      minRingSize: 1024,
      maxRingSize: 8_388_608,
    });
    assert.deepEqual(policy({ lbPolicy: envoy.Cluster_LbPolicy.MAGLEV }), {
      kind: 'maglev',
      tableSize: 65_537,
    });
  });

  it('prefers load_balancing_policy: the first supported entry wins, wrr_locality weighs localities (A52)', () => {
    const ext = (schema: DescMessage, init: Record<string, unknown> = {}) => ({
      typedExtensionConfig: { name: schema.typeName, typedConfig: anyPack(schema, create(schema, init)) },
    });
    const unknown = {
      typedExtensionConfig: { name: 'custom', typedConfig: { typeUrl: 'type.googleapis.com/x.Custom' } },
    };
    const withPolicies = (...policies: MessageInitShape<typeof envoy.LoadBalancingPolicy_PolicySchema>[]) =>
      eds({ lbPolicy: envoy.Cluster_LbPolicy.MAGLEV, loadBalancingPolicy: { policies } });
    const c = ok(
      withPolicies(
        unknown,
        ext(envoy.WrrLocalitySchema, {
          endpointPickingPolicy: {
            policies: [unknown, ext(envoy.RingHashSchema, { minimumRingSize: 64n, maximumRingSize: 128n })],
          },
        }),
        ext(envoy.RoundRobinSchema),
      ),
    );
    assert.deepEqual(c.lbPolicy, { kind: 'ring_hash', minRingSize: 64, maxRingSize: 128 });
    assert.equal(c.localityWeighted, true);
    assert.deepEqual(ok(withPolicies(ext(envoy.LeastRequestSchema, { choiceCount: 3 }))).lbPolicy, {
      kind: 'least_request',
      choiceCount: 3,
    });
    assert.deepEqual(ok(withPolicies(ext(envoy.PickFirstSchema, { shuffleAddressList: true }))).lbPolicy, {
      kind: 'pick_first',
      shuffleAddressList: true,
    });
    assert.deepEqual(ok(withPolicies(ext(envoy.RandomSchema))).lbPolicy, { kind: 'random' });
    assert.deepEqual(ok(withPolicies(ext(envoy.MaglevSchema))).lbPolicy, {
      kind: 'maglev',
      tableSize: 65_537,
    });
    assert.equal(ok(withPolicies(ext(envoy.RoundRobinSchema))).localityWeighted, false);
    assert.deepEqual(errorsOf(withPolicies(unknown)), [
      'load_balancing_policy: none of the policies is supported',
    ]);
    assert.deepEqual(
      errorsOf(withPolicies(ext(envoy.RingHashSchema, { hashFunction: 2 }), ext(envoy.RoundRobinSchema))),
      [
        'load_balancing_policy.policies[0].typed_extension_config.typed_config.hash_function: only XX_HASH is supported',
      ],
    );
    assert.deepEqual(errorsOf(withPolicies(ext(envoy.WrrLocalitySchema))), [
      'load_balancing_policy.policies[0].typed_extension_config.typed_config.endpoint_picking_policy: is required',
    ]);
    let nested: MessageInitShape<typeof envoy.LoadBalancingPolicy_PolicySchema> = ext(envoy.RoundRobinSchema);
    for (let i = 0; i < 17; i++)
      nested = ext(envoy.WrrLocalitySchema, { endpointPickingPolicy: { policies: [nested] } });
    const deep = errorsOf(withPolicies(nested));
    assert.equal(deep.length, 1);
    assert.match(deep[0] ?? '', /endpoint_picking_policy: policies nested deeper than 16$/);
  });

  it('decodes aggregate and LOGICAL_DNS clusters (A37)', () => {
    const agg = ok({
      name: 'agg',
      clusterDiscoveryType: {
        case: 'clusterType',
        value: {
          name: 'envoy.clusters.aggregate',
          typedConfig: anyPack(
            envoy.ClusterConfigSchema,
            create(envoy.ClusterConfigSchema, { clusters: ['a', 'b'] }),
          ),
        },
      },
    });
    assert.deepEqual(agg.discovery, { type: 'aggregate', clusters: ['a', 'b'] });
    const dns = ok({
      name: 'dns',
      clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.LOGICAL_DNS },
      loadAssignment: {
        endpoints: [
          {
            lbEndpoints: [
              {
                hostIdentifier: {
                  case: 'endpoint',
                  value: {
                    address: {
                      address: {
                        case: 'socketAddress',
                        value: { address: 'example.com', portSpecifier: { case: 'portValue', value: 443 } },
                      },
                    },
                  },
                },
              },
            ],
          },
        ],
      },
    });
    assert.deepEqual(dns.discovery, { type: 'logical_dns', host: 'example.com', port: 443 });
  });

  it('reports every error with its field', () => {
    assert.deepEqual(
      errorsOf({
        clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.EDS },
        lbPolicy: envoy.Cluster_LbPolicy.RING_HASH,
        lbConfig: {
          case: 'ringHashLbConfig',
          value: { minimumRingSize: 0n, maximumRingSize: 9_000_000n, hashFunction: 1 },
        },
        outlierDetection: { maxEjectionPercent: 101, enforcingFailurePercentage: 200 },
        connectTimeout: { seconds: -1n },
        lrsServer: ads,
        transportSocket: { name: 'raw' },
      }),
      [
        'name: must not be empty',
        'eds_cluster_config.eds_config: must be ads or self',
        'ring_hash_lb_config.hash_function: only XX_HASH is supported',
        'ring_hash_lb_config.minimum_ring_size: must be at least 1',
        'ring_hash_lb_config.maximum_ring_size: 9000000 is above 8388608',
        'outlier_detection.max_ejection_percent: 101 is above 100',
        'outlier_detection.enforcing_failure_percentage: 200 is above 100',
        'connect_timeout: duration must not be negative',
        'transport_socket.typed_config: unsupported transport socket: expected type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
        'lrs_server: must be self',
      ],
    );
  });

  it('rejects unsupported discovery types and policies, and bad special clusters', () => {
    assert.deepEqual(
      errorsOf({
        name: 's',
        clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.STATIC },
      }),
      ['type: unsupported discovery type STATIC; expected EDS, LOGICAL_DNS or an aggregate cluster'],
    );
    assert.deepEqual(errorsOf(eds({ lbPolicy: envoy.Cluster_LbPolicy.CLUSTER_PROVIDED })), [
      'lb_policy: unsupported policy CLUSTER_PROVIDED',
    ]);
    assert.deepEqual(
      errorsOf(
        eds({
          lbPolicy: envoy.Cluster_LbPolicy.RING_HASH,
          lbConfig: { case: 'ringHashLbConfig', value: { minimumRingSize: 200n, maximumRingSize: 100n } },
        }),
      ),
      ['ring_hash_lb_config.minimum_ring_size: 200 is above maximum_ring_size 100'],
    );
    assert.deepEqual(
      errorsOf(
        eds({
          lbPolicy: envoy.Cluster_LbPolicy.MAGLEV,
          lbConfig: { case: 'maglevLbConfig', value: { tableSize: 100n } },
        }),
      ),
      ['maglev_lb_config.table_size: 100 must be a prime no larger than 5000011'],
    );
    assert.deepEqual(
      errorsOf(
        eds({
          lbPolicy: envoy.Cluster_LbPolicy.LEAST_REQUEST,
          lbConfig: { case: 'leastRequestLbConfig', value: { choiceCount: 1 } },
        }),
      ),
      ['least_request_lb_config.choice_count: 1 is below 2'],
    );
    assert.deepEqual(
      errorsOf({
        name: 'agg',
        clusterDiscoveryType: {
          case: 'clusterType',
          value: {
            name: 'agg',
            typedConfig: anyPack(envoy.ClusterConfigSchema, create(envoy.ClusterConfigSchema)),
          },
        },
      }),
      ['cluster_type.typed_config.clusters: must not be empty'],
    );
    assert.deepEqual(
      errorsOf({
        name: 'dns',
        clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.LOGICAL_DNS },
      }),
      ['load_assignment: a LOGICAL_DNS cluster needs exactly one locality with exactly one endpoint'],
    );
    assert.deepEqual(errorsOf(eds({ name: 'xdstp://auth/envoy.config.cluster.v3.Cluster/c' })), [
      'eds_cluster_config.service_name: is required for an xdstp: cluster',
    ]);
  });
});
