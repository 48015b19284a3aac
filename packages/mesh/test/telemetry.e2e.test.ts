// Telemetry through the whole mesh: Shoal's control plane, two self-registering providers (v1 and
// v2, each with a Telemetry of its own as if a process) and a mesh consumer with its own. Istio's
// metrics carry both sides' labels from metadata exchange (source_workload → destination
// service/version: Kiali's graph), A66's carry the xds target, A78's the xDS client's resources,
// and the mesh counts its retries.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { Code } from '@shoal/rpc';
import { createTelemetry, type Telemetry } from '@shoal/telemetry';
import { parsePrometheusText, type Sample } from '@shoal/telemetry/plugins';
import { greeterSplit } from './greeter-split.js';
import { MeshHarness, tally, waitFor } from './mesh-harness.js';

const config = greeterSplit(50, 50, 'retries: { attempts: 2, retryOn: unavailable }');

const sum = (all: Sample[], name: string, match: Record<string, string> = {}) =>
  all
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);

describe('e2e: telemetry in the mesh', () => {
  let mesh: MeshHarness | undefined;
  const telemetries: Telemetry[] = [];
  afterEach(async () => {
    await mesh?.stop();
    await Promise.all(telemetries.splice(0).map((t) => t.close()));
  });

  it('reports Kiali’s edges from both sides, A66 and A78 metrics and retries', async () => {
    const t = () => {
      const telemetry = createTelemetry({ env: {} });
      telemetries.push(telemetry);
      return telemetry;
    };
    const [tv1, tv2, tc] = [t(), t(), t()];
    mesh = await MeshHarness.start();
    await mesh.provider('v1-a', { ip: '127.0.0.2', labels: { version: 'v1' }, telemetry: tv1 });
    const v2 = await mesh.provider('v2-a', { ip: '127.0.0.3', labels: { version: 'v2' }, telemetry: tv2 });
    await mesh.apply(config);
    const c = mesh.consumer({ telemetry: tc });
    await waitFor(async () => {
      const counts = await tally(c, 20);
      return (counts['v1-a'] ?? 0) > 0 && (counts['v2-a'] ?? 0) > 0;
    }, 'both subsets');
    const before = sum(parsePrometheusText(await tc.prometheus()), 'istio_requests_total');
    const counts = await tally(c, 200);
    assert.equal((counts['v1-a'] ?? 0) + (counts['v2-a'] ?? 0), 200, JSON.stringify(counts));

    const client = parsePrometheusText(await tc.prometheus());
    const edge = { reporter: 'source', source_workload: 'consumer-0', destination_service_name: 'greeter' };
    assert.equal(sum(client, 'istio_requests_total', edge) - before, 200);
    const byVersion = (v: string) =>
      sum(client, 'istio_requests_total', { ...edge, destination_version: v, response_code: '200' });
    assert.ok(byVersion('v1') > 60 && byVersion('v2') > 60, `v1 ${byVersion('v1')} v2 ${byVersion('v2')}`);
    const sample = client.find(
      (s) => s.name === 'istio_requests_total' && s.labels.destination_version === 'v2',
    );
    assert.equal(sample?.labels.destination_workload, 'greeter-v2');
    assert.equal(sample?.labels.destination_service, 'greeter.default.svc.cluster.local');
    assert.equal(sample?.labels.destination_service_namespace, 'default');
    assert.equal(sample?.labels.destination_canonical_revision, 'v2');
    assert.ok(sum(client, 'grpc_client_attempt_started_total', { grpc_target: mesh.target }) >= 200);
    assert.ok(
      sum(client, 'grpc_xds_client_resource_updates_valid_total', {
        grpc_target: mesh.target,
        grpc_xds_resource_type: 'envoy.config.listener.v3.Listener',
      }) >= 1,
    );
    assert.equal(sum(client, 'grpc_xds_client_connected', { grpc_target: mesh.target }), 1);
    assert.ok(
      sum(client, 'grpc_xds_client_resources', { grpc_target: mesh.target, grpc_xds_cache_state: 'acked' }) >=
        4,
    );

    const server = parsePrometheusText(await tv2.prometheus());
    const inbound = server.find(
      (s) => s.name === 'istio_requests_total' && s.labels.reporter === 'destination',
    );
    assert.equal(inbound?.labels.source_workload, 'consumer-0');
    assert.equal(inbound?.labels.destination_workload, 'greeter-v2');
    assert.equal(inbound?.labels.destination_version, 'v2');
    assert.equal(inbound?.labels.destination_service_name, 'greeter');
    assert.ok(sum(server, 'grpc_xds_client_connected', { grpc_target: '#server' }) === 1);

    // v2 fails UNAVAILABLE: its calls are retried (A44) onto v1 or v2 again, and counted.
    v2.failWith = Code.UNAVAILABLE;
    await tally(c, 40);
    const after = parsePrometheusText(await tc.prometheus());
    assert.ok(sum(after, 'shoal_mesh_retries_total', { grpc_status: 'UNAVAILABLE' }) > 0);
    assert.ok(sum(after, 'grpc_client_attempt_duration_count', { grpc_status: 'UNAVAILABLE' }) > 0);
  });

  it('puts the route decision on client spans: route, cluster, endpoint, retries', async () => {
    const spans = new InMemorySpanExporter();
    const tc = createTelemetry({ env: {}, spanExporter: spans, spanProcessor: 'simple' });
    telemetries.push(tc);
    mesh = await MeshHarness.start();
    await mesh.provider('v1-a', { ip: '127.0.0.2', labels: { version: 'v1' } });
    const v2 = await mesh.provider('v2-a', { ip: '127.0.0.3', labels: { version: 'v2' } });
    await mesh.apply(config);
    const c = mesh.consumer({ telemetry: tc });
    await waitFor(async () => (await tally(c, 1))['v1-a'] !== undefined, 'routes');
    v2.failWith = Code.UNAVAILABLE;
    await tally(c, 20);
    const finished = spans.getFinishedSpans().filter((s) => s.name === 'shoal.meshtest.v1.Greeter/SayHello');
    const retried = finished.find((s) => (s.attributes['shoal.retries'] as number) > 0);
    assert.ok(retried, 'a call that v2 failed was retried');
    assert.equal(
      retried.attributes['shoal.route'],
      'greeter.0',
      'the VirtualService route, as istiod names it',
    );
    assert.match(
      String(retried.attributes['shoal.cluster']),
      /^outbound\|\d+\|v[12]\|greeter\.default\.svc\.cluster\.local$/,
    );
    assert.match(String(retried.attributes['shoal.endpoint']), /^127\.0\.0\.[23]:\d+$/);
    assert.equal(retried.attributes['rpc.system'], 'grpc');
  });
});
