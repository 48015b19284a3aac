// The Cluster and ClusterLoadAssignment resources the translator builds from Istio's
// DestinationRule and the registry: subsets, load balancing, circuit breakers, outlier detection,
// endpoint metadata and locality priorities.
// Istio: networking.v1.DestinationRule; Envoy: cluster.v3.Cluster, endpoint.v3.ClusterLoadAssignment.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, CLUSTER_TYPE_URL, type envoy } from '@shoal/xds';
import { bookinfoInput, clientNode, fqdn } from '../../test/bookinfo-fixture.js';
import { proxyNodeOf } from '../xds-server/proxy-node.js';
import { Translator } from './translator.js';

const node = clientNode();
const DR = 'samples-bookinfo-networking-destination-rule-all.yaml';

/** Reviews with LEAST_REQUEST at the top, ring hash for v1 and maglev for v2. */
function reviewsPolicies() {
  const input = bookinfoInput([]);
  input.destinationRules = [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'reviews', namespace: 'default' },
      spec: {
        host: 'reviews',
        trafficPolicy: {
          loadBalancer: { simple: 'LEAST_REQUEST' },
          connectionPool: { http: { http2MaxRequests: 100, http1MaxPendingRequests: 10, maxRetries: 3 } },
          outlierDetection: {
            consecutive5xxErrors: 5,
            interval: '10s',
            baseEjectionTime: '30s',
            maxEjectionPercent: 50,
          },
        },
        subsets: [
          {
            name: 'v1',
            labels: { version: 'v1' },
            trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x' } } },
          },
          {
            name: 'v2',
            labels: { version: 'v2' },
            trafficPolicy: { loadBalancer: { consistentHash: { maglev: { tableSize: 65537 } } } },
          },
        ],
      },
    },
  ];
  return input;
}

describe('translator: clusters and endpoints', () => {
  it('subset clusters exist only for subsets the DestinationRule defines; EDS via ADS', () => {
    const t = new Translator(bookinfoInput([DR]));
    const name = `outbound|9080|v2|${fqdn('reviews')}`;
    const c = t.resource(CLUSTER_TYPE_URL, name, node)?.message as envoy.Cluster;
    assert.equal(c.name, name);
    assert.equal(c.edsClusterConfig?.serviceName, name);
    assert.equal(c.edsClusterConfig?.edsConfig?.configSourceSpecifier.case, 'ads');
    assert.equal(t.resource(CLUSTER_TYPE_URL, `outbound|9080|v9|${fqdn('reviews')}`, node), undefined);
    assert.equal(t.resource(CLUSTER_TYPE_URL, 'not-a-cluster-name', node), undefined);
    const all = t.wildcardNames(CLUSTER_TYPE_URL);
    assert.ok(all.includes(`outbound|9080||${fqdn('reviews')}`));
    assert.ok(all.includes(`outbound|9080|v3|${fqdn('reviews')}`));
    assert.ok(all.includes(`outbound|9080|v2-mysql-vm|${fqdn('ratings')}`));
  });

  it('load balancing, circuit breakers and outlier detection; the subset policy overrides', async () => {
    const { envoy: e } = await import('@shoal/xds');
    const input = reviewsPolicies();
    const t = new Translator(input);
    const get = (subset: string) =>
      t.resource(CLUSTER_TYPE_URL, `outbound|9080|${subset}|${fqdn('reviews')}`, node)
        ?.message as envoy.Cluster;
    const top = get('');
    assert.equal(top.lbPolicy, e.Cluster_LbPolicy.LEAST_REQUEST);
    assert.deepEqual(
      [
        top.circuitBreakers?.thresholds[0]?.maxRequests,
        top.circuitBreakers?.thresholds[0]?.maxPendingRequests,
        top.circuitBreakers?.thresholds[0]?.maxRetries,
      ],
      [100, 10, 3],
    );
    assert.equal(top.outlierDetection?.consecutive5xx, 5);
    assert.equal(top.outlierDetection?.enforcingConsecutive5xx, 100);
    assert.equal(top.outlierDetection?.interval?.seconds, 10n);
    assert.equal(top.outlierDetection?.baseEjectionTime?.seconds, 30n);
    assert.equal(top.outlierDetection?.maxEjectionPercent, 50);
    const v1 = get('v1');
    assert.equal(v1.lbPolicy, e.Cluster_LbPolicy.RING_HASH);
    assert.equal(v1.lbConfig.case, 'ringHashLbConfig');
    assert.equal(
      v1.circuitBreakers?.thresholds[0]?.maxRequests,
      100,
      'unset fields keep the top-level policy',
    );
    const v2 = get('v2');
    assert.equal(v2.lbPolicy, e.Cluster_LbPolicy.MAGLEV);
    assert.equal((v2.lbConfig.value as envoy.Cluster_MaglevLbConfig).tableSize, 65537n);
  });

  it('each client gets the nearest LB policy it reads (C-core 1.51, grpc-js-xds, Shoal)', async () => {
    const { envoy: e } = await import('@shoal/xds');
    const P = e.Cluster_LbPolicy;
    const t = new Translator(reviewsPolicies());
    const as = (userAgentName: string, version: string) =>
      proxyNodeOf({
        id: `${userAgentName}-client`,
        metadata: { NAMESPACE: 'default' },
        userAgentName,
        userAgentVersionType: { case: 'userAgentVersion', value: version },
      });
    const policies = (client: ReturnType<typeof as>) =>
      ['', 'v1', 'v2'].map((subset) => {
        const c = t.resource(CLUSTER_TYPE_URL, `outbound|9080|${subset}|${fqdn('reviews')}`, client)
          ?.message as envoy.Cluster;
        return P[c.lbPolicy];
      });
    // C-core 1.51 NACKs LEAST_REQUEST and MAGLEV and crashes on RING_HASH: round robin for all.
    assert.deepEqual(policies(as('gRPC C-core linux Python', 'C-core 29.0.0 Python 1.51.1')), [
      'ROUND_ROBIN',
      'ROUND_ROBIN',
      'ROUND_ROBIN',
    ]);
    assert.deepEqual(policies(as('gRPC Node Pure JS', '1.14.1')), ['ROUND_ROBIN', 'RING_HASH', 'RING_HASH']);
    assert.deepEqual(policies(as('shoal-node', '0.1.0')), ['LEAST_REQUEST', 'RING_HASH', 'MAGLEV']);
  });

  it('endpoints: subset filtering, locality weights, labels as metadata', () => {
    const t = new Translator(bookinfoInput([DR]));
    const cla = t.resource(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, `outbound|9080|v2|${fqdn('reviews')}`, node)
      ?.message as envoy.ClusterLoadAssignment;
    assert.equal(cla.endpoints.length, 1);
    const loc = cla.endpoints[0]!;
    assert.equal(loc.locality?.region, 'us-east');
    assert.equal(loc.loadBalancingWeight, 1);
    assert.equal(loc.lbEndpoints.length, 1);
    const ep = loc.lbEndpoints[0]!;
    assert.deepEqual(ep.metadata?.filterMetadata.istio?.labels, { app: 'reviews', version: 'v2' });
    const all = t.resource(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, `outbound|9080||${fqdn('reviews')}`, node)
      ?.message as envoy.ClusterLoadAssignment;
    assert.equal(all.endpoints[0]?.lbEndpoints.length, 3);
    assert.equal(all.endpoints[0]?.loadBalancingWeight, 3);
  });

  it("priorities follow the client's locality and localityLbSetting failover", () => {
    const input = bookinfoInput([]);
    const zones = ['us-east/a/', 'us-east/b/', 'eu-west/c/', 'ap-south/d/'];
    input.endpoints = zones.map((locality, i) => ({
      hostname: fqdn('ratings'),
      servicePort: 9080,
      address: `10.0.1.${i}`,
      port: 9080,
      labels: {},
      locality,
    }));
    const priorities = (n = node) => {
      const cla = new Translator(input).resource(
        CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
        `outbound|9080||${fqdn('ratings')}`,
        n,
      )?.message as envoy.ClusterLoadAssignment;
      return Object.fromEntries(
        cla.endpoints.map((l) => [`${l.locality?.region}/${l.locality?.zone}`, l.priority]),
      );
    };
    assert.deepEqual(priorities(), { 'ap-south/d': 0, 'eu-west/c': 0, 'us-east/a': 0, 'us-east/b': 0 });
    const inA = clientNode('default', { region: 'us-east', zone: 'a', subZone: '' });
    assert.deepEqual(priorities(inA), { 'ap-south/d': 2, 'eu-west/c': 2, 'us-east/a': 0, 'us-east/b': 1 });
    input.destinationRules = [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'ratings', namespace: 'default' },
        spec: {
          host: 'ratings',
          trafficPolicy: {
            loadBalancer: { localityLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }] } },
          },
        },
      },
    ];
    assert.deepEqual(priorities(inA), { 'ap-south/d': 3, 'eu-west/c': 2, 'us-east/a': 0, 'us-east/b': 1 });
    input.destinationRules[0]!.spec.trafficPolicy = {
      loadBalancer: {
        localityLbSetting: {
          distribute: [{ from: 'us-east/a/*', to: { 'us-east/*': 80, 'eu-west/*': 20 } }],
        },
      },
    };
    const cla = new Translator(input).resource(
      CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
      `outbound|9080||${fqdn('ratings')}`,
      inA,
    )?.message as envoy.ClusterLoadAssignment;
    assert.deepEqual(
      cla.endpoints.map((l) => [l.locality?.zone, l.loadBalancingWeight, l.priority]),
      [
        ['c', 20, 0],
        ['a', 80, 0],
        ['b', 80, 0],
      ],
    );
  });
});
