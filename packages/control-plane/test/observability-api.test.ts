// The control plane's observability endpoints on its admin port: `/metrics` with istiod's names
// (pilot_xds by type and version, pushes and push time per type, convergence time, NACKs in
// pilot_total_xds_rejects and pilot_xds_rds_reject with the node and error, config events) and
// `/api/prometheus/targets` in Prometheus' http_sd_config format, from the live ADS clients that
// announce an admin port.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parsePrometheusText, type Sample } from '@shoal/telemetry/plugins';
import { LISTENER_TYPE_URL as LDS, ROUTE_CONFIGURATION_TYPE_URL as RDS } from '@shoal/xds';
import { ControlPlane } from '../src/control-plane.js';
import { type AdsClient, adsClient, sotwAck, sotwRequest, sotwStream } from './ads-test-client.js';

const CONFIG = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: reviews }
spec:
  hosts: [reviews.default.svc.cluster.local]
  ports: [{ number: 9080, name: grpc, protocol: GRPC }]
  resolution: STATIC
  endpoints: [{ address: 127.0.0.1, labels: { version: v1 } }]
`;

const find = (all: Sample[], name: string, labels: Record<string, string> = {}) =>
  all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe('control plane: /metrics and /api/prometheus/targets', () => {
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0 });
  let admin = '';
  let conn: { client: AdsClient; close: () => void };
  const metrics = async () => parsePrometheusText(await (await fetch(`${admin}/metrics`)).text());

  before(async () => {
    const { xds, admin: a } = await cp.start();
    admin = `http://${a.host}:${a.port}`;
    conn = adsClient(xds.port);
  });
  after(async () => {
    conn.close();
    await cp.stop(100);
  });

  it('counts clients, pushes, NACKs and config events under istiod’s names', async () => {
    await cp.store.apply(CONFIG);
    const stream = sotwStream(conn.client);
    const node = {
      id: 'reviews-v1-7f',
      metadata: { ISTIO_VERSION: '1.24.0', SHOAL_ADMIN_PORT: 15020, INSTANCE_IPS: '10.0.0.9' },
    };
    const host = 'reviews.default.svc.cluster.local:9080';
    stream.send(sotwRequest({ node, typeUrl: LDS, resourceNames: [host] }));
    const lds = await stream.recv();
    stream.send(sotwAck(LDS, [host], lds));
    stream.send(sotwRequest({ typeUrl: RDS, resourceNames: [host] }));
    const rds = await stream.recv();
    stream.send(
      sotwRequest({
        typeUrl: RDS,
        resourceNames: [host],
        versionInfo: '',
        responseNonce: rds.nonce,
        errorDetail: { code: 3, message: 'route 9080 is not to my liking' },
      }),
    );
    await new Promise((r) => setTimeout(r, 100));

    const text = await (await fetch(`${admin}/metrics`)).text();
    assert.match(text, /^# TYPE pilot_xds_pushes counter$/m, 'istiod’s name: no _total suffix');
    const m = parsePrometheusText(text);
    assert.deepEqual(
      find(m, 'pilot_xds').map((s) => [s.labels, s.value]),
      [[{ type: 'proxyless', version: '1.24.0' }, 1]],
    );
    assert.ok(find(m, 'pilot_xds_pushes', { type: 'lds' })[0]!.value >= 1);
    assert.ok(find(m, 'pilot_xds_pushes', { type: 'rds' })[0]!.value >= 1);
    assert.ok(find(m, 'pilot_xds_push_time_count', { type: 'lds' })[0]!.value >= 1);
    assert.deepEqual(
      find(m, 'pilot_xds_push_time_bucket', { type: 'lds' }).map((s) => s.labels.le),
      ['0.01', '0.1', '1', '3', '5', '10', '20', '30', '+Inf'],
    );
    assert.equal(find(m, 'pilot_total_xds_rejects', { type: 'rds' })[0]?.value, 1);
    assert.deepEqual(find(m, 'pilot_xds_rds_reject')[0]?.labels, {
      node: node.id,
      err: 'route 9080 is not to my liking',
    });
    assert.equal(find(m, 'pilot_k8s_cfg_events', { type: 'ServiceEntry', event: 'add' })[0]?.value, 1);
    assert.equal(find(m, 'pilot_services')[0]?.value, 1);

    // A new snapshot reaches the client: its convergence time is recorded.
    const before = find(m, 'pilot_proxy_convergence_time_count')[0]?.value ?? 0;
    await cp.store.apply(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews.default.svc.cluster.local]
  http: [{ timeout: 3s, route: [{ destination: { host: reviews.default.svc.cluster.local } }] }]
`);
    await stream.recv(); // the new route configuration
    await new Promise((r) => setTimeout(r, 100));
    const after = find(await metrics(), 'pilot_proxy_convergence_time_count')[0]?.value ?? 0;
    assert.ok(after > before, `convergence ${before} -> ${after}`);
    assert.equal(
      find(await metrics(), 'pilot_k8s_cfg_events', { type: 'VirtualService', event: 'add' })[0]?.value,
      1,
    );

    const targets = (await (await fetch(`${admin}/api/prometheus/targets`)).json()) as {
      targets: string[];
      labels: Record<string, string>;
    }[];
    const [process, controlPlane] = targets;
    assert.deepEqual(process?.targets, ['10.0.0.9:15020']);
    assert.equal(process?.labels.__metrics_path__, '/stats/prometheus');
    assert.equal(process?.labels.__meta_shoal_node_id, node.id);
    assert.equal(process?.labels.__meta_shoal_namespace, 'default');
    assert.deepEqual(controlPlane?.targets, [admin.slice('http://'.length)]);
    assert.equal(controlPlane?.labels.__metrics_path__, '/metrics');
    stream.close();
  });
});
