// The traffic store's arithmetic on Envoy ClusterStats: rates over the time the reports cover,
// the window, latency means weighted by calls, locality-only reports (as gRPC sends), drops.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';
import { proxyNodeOf } from '../xds-server/proxy-node.js';
import { LoadReportStore } from './load-report-store.js';

const node = proxyNodeOf({
  id: 'caller-1',
  metadata: { NAMESPACE: 'shop', LABELS: { app: 'web', version: 'v3' } },
});
const CLUSTER = 'outbound|9080|v1|reviews.shop.svc.cluster.local';

function report(seconds: number, endpoints: [string, number, number, number, number][], dropped = 0) {
  return create(envoy.ClusterStatsSchema, {
    clusterName: CLUSTER,
    totalDroppedRequests: BigInt(dropped),
    loadReportInterval: { seconds: BigInt(seconds) },
    upstreamLocalityStats: [
      {
        locality: { region: 'r', zone: 'z', subZone: '' },
        upstreamEndpointStats: endpoints.map(([ip, issued, ok, failed, latency]) =>
          create(envoy.UpstreamEndpointStatsSchema, {
            address: {
              address: {
                case: 'socketAddress',
                value: { address: ip, portSpecifier: { case: 'portValue', value: 9080 } },
              },
            },
            totalIssuedRequests: BigInt(issued),
            totalSuccessfulRequests: BigInt(ok),
            totalErrorRequests: BigInt(failed),
            loadMetricStats: [
              {
                metricName: 'latency_ms',
                numRequestsFinishedWithMetric: BigInt(ok + failed),
                totalMetricValue: latency,
              },
            ],
          }),
        ),
      },
    ],
  });
}

describe('LoadReportStore', () => {
  it('divides by the time the reports in the window cover, and weighs latency by calls', () => {
    const store = new LoadReportStore();
    const t0 = 1_000_000;
    store.add(node, [report(2, [['10.0.0.1', 20, 18, 2, 200]])], t0);
    store.add(
      node,
      [
        report(
          2,
          [
            ['10.0.0.1', 10, 10, 0, 300],
            ['10.0.0.2', 4, 4, 0, 40],
          ],
          3,
        ),
      ],
      t0 + 2000,
    );
    const view = store.view(60, t0 + 2500);
    assert.equal(view.edges.length, 1);
    const [edge] = view.edges;
    assert.deepEqual(edge!.source, {
      node: 'caller-1',
      workload: 'web-v3',
      namespace: 'shop',
      app: 'web',
      version: 'v3',
    });
    assert.deepEqual(edge!.destination, {
      cluster: CLUSTER,
      service: 'reviews.shop.svc.cluster.local',
      namespace: 'shop',
      subset: 'v1',
      port: 9080,
    });
    const one = edge!.endpoints.find((e) => e.address === '10.0.0.1:9080')!;
    assert.equal(one.requestsPerSecond, 30 / 4, 'two 2-second reports');
    assert.equal(one.latencyMs, 500 / 30);
    const two = edge!.endpoints.find((e) => e.address === '10.0.0.2:9080')!;
    assert.equal(two.requestsPerSecond, 4 / 2, 'it reported once: 2 seconds covered');
    assert.equal(edge!.requestsPerSecond, 30 / 4 + 2);
    assert.equal(edge!.errored, 2);
    assert.equal(edge!.errorRate, 2 / 34);
    assert.equal(edge!.latencyMs, 540 / 34);
    assert.equal(edge!.dropped, 3);
    // The console's graph from the same reports (the last 10 s).
    const graph = store.report(t0 + 2500);
    assert.equal(graph.source, 'lrs');
    assert.deepEqual(
      graph.nodes.map((n) => [n.id, n.kind]),
      [
        ['web:v3', 'workload'],
        ['reviews:v1', 'service'],
      ],
    );
    assert.equal(graph.edges[0]!.source, 'web:v3');
    assert.equal(graph.edges[0]!.destination, 'reviews:v1');
    assert.equal(graph.edges[0]!.requestsPerSecond, edge!.requestsPerSecond);
    assert.equal(graph.edges[0]!.p50Ms, edge!.latencyMs);
    // Only the later report is in a 1-second window.
    assert.equal(store.view(1, t0 + 2500).edges[0]!.issued, 14);
    assert.equal(store.view(1, t0 + 5000).edges.length, 0);
  });

  it('keeps locality totals when a client sends no endpoint detail (gRPC), with no latency', () => {
    const store = new LoadReportStore();
    const stats = create(envoy.ClusterStatsSchema, {
      clusterName: 'plain-cluster',
      loadReportInterval: { seconds: 1n },
      upstreamLocalityStats: [
        { locality: { zone: 'z1' }, totalIssuedRequests: 5n, totalSuccessfulRequests: 5n },
      ],
    });
    store.add(node, [stats], 10_000);
    const [edge] = store.view(60, 10_500).edges;
    assert.equal(edge!.destination.service, 'plain-cluster');
    assert.deepEqual(
      edge!.endpoints.map((e) => [e.address, e.locality, e.requestsPerSecond, e.latencyMs]),
      [['', '/z1/', 5, null]],
    );
  });
});
