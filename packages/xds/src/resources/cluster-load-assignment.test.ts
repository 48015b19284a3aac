import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import * as envoy from '../envoy.js';
import { decodeClusterLoadAssignment, type XdsClusterLoadAssignment } from './cluster-load-assignment.js';
import type { DecodeResult } from './decode-result.js';

type ClaInit = MessageInitShape<typeof envoy.ClusterLoadAssignmentSchema>;
type LbEndpointInit = MessageInitShape<typeof envoy.LbEndpointSchema>;

const endpoint = (
  host: string,
  port: number,
  extra: Omit<Exclude<LbEndpointInit, envoy.LbEndpoint>, 'hostIdentifier'> = {},
): LbEndpointInit => ({
  hostIdentifier: {
    case: 'endpoint',
    value: {
      address: {
        address: {
          case: 'socketAddress',
          value: { address: host, portSpecifier: { case: 'portValue', value: port } },
        },
      },
    },
  },
  ...extra,
});

function decode(init: ClaInit): DecodeResult<XdsClusterLoadAssignment> {
  return decodeClusterLoadAssignment(
    anyPack(envoy.ClusterLoadAssignmentSchema, create(envoy.ClusterLoadAssignmentSchema, init)),
  );
}

function errorsOf(init: ClaInit): readonly string[] {
  const r = decode(init);
  assert.equal(r.ok, false, 'expected errors');
  return r.ok ? [] : r.errors;
}

describe('decodeClusterLoadAssignment', () => {
  it('decodes localities, priorities, endpoints, weights, health, metadata and policy', () => {
    const r = decode({
      clusterName: 'outbound|50051|v1|greeter',
      endpoints: [
        {
          locality: { region: 'r1', zone: 'zone-a' },
          loadBalancingWeight: 3,
          lbEndpoints: [
            endpoint('10.0.0.1', 50051, {
              healthStatus: envoy.HealthStatus.HEALTHY,
              loadBalancingWeight: 2,
              metadata: { filterMetadata: { istio: { version: 'v1' } } },
            }),
            endpoint('10.0.0.2', 50051, { healthStatus: envoy.HealthStatus.DRAINING }),
          ],
        },
        {
          locality: { zone: 'zone-b' },
          loadBalancingWeight: 1,
          priority: 1,
          lbEndpoints: [endpoint('10.0.1.1', 50051)],
        },
        { locality: { zone: 'zone-c' }, lbEndpoints: [endpoint('10.0.2.1', 50051)] },
      ],
      policy: {
        overprovisioningFactor: 100,
        dropOverloads: [{ category: 'lb', dropPercentage: { numerator: 5, denominator: 0 } }],
      },
    });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.equal(r.name, 'outbound|50051|v1|greeter');
    assert.deepEqual(r.value, {
      clusterName: 'outbound|50051|v1|greeter',
      localities: [
        {
          locality: { region: 'r1', zone: 'zone-a', subZone: '' },
          weight: 3,
          priority: 0,
          endpoints: [
            {
              address: { host: '10.0.0.1', port: 50051 },
              additionalAddresses: [],
              hostname: '',
              health: 'healthy',
              weight: 2,
              metadata: { istio: { version: 'v1' } },
            },
            {
              address: { host: '10.0.0.2', port: 50051 },
              additionalAddresses: [],
              hostname: '',
              health: 'draining',
              weight: 1,
              metadata: {},
            },
          ],
        },
        {
          locality: { region: '', zone: 'zone-b', subZone: '' },
          weight: 1,
          priority: 1,
          endpoints: [
            {
              address: { host: '10.0.1.1', port: 50051 },
              additionalAddresses: [],
              hostname: '',
              health: 'unknown',
              weight: 1,
              metadata: {},
            },
          ],
        },
      ],
      dropOverloads: [{ category: 'lb', perMillion: 50_000 }],
      overprovisioningFactor: 100,
    });
  });

  it('accepts raw bytes and an empty assignment (no endpoints yet)', () => {
    const bytes = toBinary(
      envoy.ClusterLoadAssignmentSchema,
      create(envoy.ClusterLoadAssignmentSchema, { clusterName: 'c' }),
    );
    const r = decodeClusterLoadAssignment(bytes);
    assert.ok(r.ok);
    assert.deepEqual(r.value.localities, []);
    assert.equal(r.value.overprovisioningFactor, 140);
  });

  it('reports zero weights, bad addresses, duplicates and priority gaps with paths', () => {
    assert.deepEqual(
      errorsOf({
        endpoints: [
          {
            locality: { zone: 'a' },
            loadBalancingWeight: 1,
            lbEndpoints: [
              endpoint('10.0.0.1', 80, { loadBalancingWeight: 0 }),
              endpoint('', 70000),
              { hostIdentifier: { case: 'endpointName', value: 'named' } },
            ],
          },
          {
            locality: { zone: 'b' },
            loadBalancingWeight: 1,
            priority: 2,
            lbEndpoints: [endpoint('10.0.0.1', 80)],
          },
          {
            locality: { zone: 'b' },
            loadBalancingWeight: 1,
            priority: 2,
            lbEndpoints: [endpoint('10.0.0.9', 80)],
          },
        ],
      }),
      [
        'cluster_name: must not be empty',
        'endpoints[0].lb_endpoints[0].load_balancing_weight: must be greater than 0',
        'endpoints[0].lb_endpoints[1].endpoint.address.socket_address.address: must not be empty',
        'endpoints[0].lb_endpoints[1].endpoint.address.socket_address.port_value: 70000 is not a port',
        'endpoints[0].lb_endpoints[2].endpoint: is required',
        'endpoints[1].lb_endpoints[0].endpoint: duplicate address 10.0.0.1:80 (also at endpoints[0].lb_endpoints[0])',
        'endpoints[2].locality: same locality and priority as endpoints[1]',
        'endpoints: priorities must be contiguous from 0, got 2',
      ],
    );
  });

  it('fails cleanly on a wrong type', () => {
    const r = decodeClusterLoadAssignment(anyPack(envoy.ClusterSchema, create(envoy.ClusterSchema)));
    assert.deepEqual(r, {
      ok: false,
      errors: [
        'expected type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment, got type.googleapis.com/envoy.config.cluster.v3.Cluster',
      ],
    });
  });
});
