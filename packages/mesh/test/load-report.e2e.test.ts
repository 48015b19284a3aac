// Load reporting (gRFC A27 LRS) from Shoal's mesh client to Shoal's control plane: the clusters
// say `lrs_server: self`, the consumer reports per cluster, locality and endpoint (issued,
// succeeded, errored, in progress, latency), and the control plane's traffic view shows the edges
// consumer → greeter v1/v2 with their rates, errors and latency.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Code } from '@shoal/rpc';
import { greeterSplit } from './greeter-split.js';
import { MeshHarness, tally, waitFor } from './mesh-harness.js';

const config = greeterSplit(50, 50);

describe('e2e: load reports to the control plane', () => {
  let mesh: MeshHarness | undefined;
  afterEach(() => mesh?.stop());

  it('shows the consumer’s edges with rates, errors and latency per endpoint', async () => {
    mesh = await MeshHarness.start({ loadReportingIntervalMs: 200 });
    const v1 = await mesh.provider('v1-a', { ip: '127.0.0.2', labels: { version: 'v1' } });
    const v2 = await mesh.provider('v2-a', { ip: '127.0.0.3', labels: { version: 'v2' } });
    await mesh.apply(config);
    const c = mesh.consumer();
    await waitFor(async () => {
      const counts = await tally(c, 20);
      return (counts['v1-a'] ?? 0) > 0 && (counts['v2-a'] ?? 0) > 0;
    }, 'both subsets');
    v2.failWith = Code.INTERNAL;
    v1.delayMs = 5;
    await tally(c, 100);
    const cp = mesh.controlPlane;
    await waitFor(
      () => {
        const edges = cp.loadReports.view(10).edges.filter((e) => e.source.node === 'consumer-0');
        return (
          edges.length === 2 &&
          edges.every((e) => e.errored + e.succeeded > 0) &&
          edges.some((e) => e.errored > 0)
        );
      },
      'reports for both subsets',
      5000,
    );
    const view = cp.loadReports.view(10);
    const edge = (subset: string) =>
      view.edges.find((e) => e.source.node === 'consumer-0' && e.destination.subset === subset)!;
    const e1 = edge('v1');
    const e2 = edge('v2');
    assert.equal(e1.destination.service, 'greeter.default.svc.cluster.local');
    assert.equal(e1.destination.namespace, 'default');
    assert.equal(e1.source.namespace, 'default');
    assert.ok(e1.succeeded > 0 && e1.errored === 0, JSON.stringify(e1));
    assert.ok(e2.errored > 0 && e2.succeeded >= 0 && e2.errorRate > 0, JSON.stringify(e2));
    // A 5 ms timer may fire up to a millisecond early on the clock the latency is measured with.
    assert.ok(e1.latencyMs !== null && e1.latencyMs >= 4, `v1 latency ${e1.latencyMs} ms (5 ms delay added)`);
    assert.ok(e1.requestsPerSecond > 0);
    assert.deepEqual(
      e1.endpoints.map((x) => x.address.replace(/:\d+$/, '')),
      ['127.0.0.2'],
      'per-endpoint detail',
    );
    assert.equal(e1.endpoints[0]!.locality.split('/').length, 3, 'region/zone/subzone');
    assert.ok(view.reporters.some((r) => r.node === 'consumer-0'));
  });
});
