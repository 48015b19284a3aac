import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { envoy, LISTENER_TYPE_URL as LDS, ROUTE_CONFIGURATION_TYPE_URL as RDS } from '@shoal/xds';
import { type AdsClient, adsClient, sotwAck, sotwRequest, sotwStream } from '../test/ads-test-client.js';
import { TESTDATA } from '../test/bookinfo-fixture.js';
import { ControlPlane } from './control-plane.js';

const SERVICES = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: reviews }
spec:
  hosts: [reviews.default.svc.cluster.local]
  ports: [{ number: 9080, name: grpc, protocol: GRPC }]
  resolution: STATIC
  workloadSelector: { labels: { app: reviews } }
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: reviews-v1 }
spec: { address: 127.0.0.1, ports: { grpc: 19081 }, labels: { app: reviews, version: v1 } }
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: reviews-v2 }
spec: { address: 127.0.0.1, ports: { grpc: 19082 }, labels: { app: reviews, version: v2 } }
`;

const sample = (file: string) => readFileSync(TESTDATA + file, 'utf8');

function weightsOf(res: envoy.DiscoveryResponse): number[] {
  const rc = fromBinary(envoy.RouteConfigurationSchema, res.resources[0]!.value);
  const action = rc.virtualHosts[0]!.routes[0]!.action.value as envoy.RouteAction;
  const spec = action.clusterSpecifier;
  return spec.case === 'weightedClusters' ? spec.value.clusters.map((c) => c.weight ?? 0) : [];
}

describe('ControlPlane: admin API + ADS end to end', () => {
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0, leaseGraceMs: 50 });
  let admin = '';
  let conn: { client: AdsClient; close: () => void };
  const api = async (method: string, path: string, body?: string) => {
    const headers = { authorization: `Bearer ${cp.adminToken}`, 'content-type': 'application/yaml' };
    const res = await fetch(admin + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    const { xds, admin: a } = await cp.start();
    admin = `http://${a.host}:${a.port}`;
    conn = adsClient(xds.port);
  });
  after(async () => {
    conn.close();
    await cp.stop(200);
  });

  it('apply, then a new weight reaches a subscribed client', async () => {
    const applied = await api(
      'POST',
      '/api/apply',
      SERVICES + '---\n' + sample('samples-bookinfo-networking-destination-rule-all.yaml'),
    );
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.equal((applied.body.changes as unknown[]).length, 3 + 4);
    assert.equal(
      (
        await api(
          'POST',
          '/api/apply',
          sample('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml'),
        )
      ).status,
      200,
    );

    const s = sotwStream(conn.client);
    const node = { id: 'client-1', metadata: { NAMESPACE: 'default' } };
    s.send(sotwRequest({ node, typeUrl: RDS, resourceNames: ['reviews:9080'] }));
    const first = await s.recv();
    assert.deepEqual(weightsOf(first), [80, 20]);
    s.send(sotwAck(RDS, ['reviews:9080'], first));

    const next = sample('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml')
      .replace('80', '25')
      .replace('20', '75');
    assert.equal((await api('POST', '/api/apply', next)).status, 200);
    const pushed = await s.recv();
    assert.deepEqual(weightsOf(pushed), [25, 75]);
    s.send(sotwAck(RDS, ['reviews:9080'], pushed));

    await new Promise((r) => setTimeout(r, 50));
    const syncz = await api('GET', '/debug/syncz');
    const clients = syncz.body.clients as { nodeId: string; types: Record<string, { state: string }> }[];
    assert.equal(clients.find((c) => c.nodeId === 'client-1')?.types.RDS?.state, 'SYNCED');

    const dump = await api('GET', '/debug/config_dump?proxy=client-1');
    assert.equal(dump.status, 200);
    const streams = dump.body.streams as {
      resources: Record<string, { name: string; resource: { name: string } }[]>;
    }[];
    assert.equal(streams[0]?.resources.RDS?.[0]?.resource.name, 'reviews:9080');
    assert.equal((await api('GET', '/debug/config_dump?proxy=nobody')).status, 404);
    s.close();
  });

  it('an invalid apply is rejected with every error and changes nothing', async () => {
    const before = await api('GET', '/api/status');
    const bad = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: bad1 }
spec: { hosts: [reviews], http: [{ route: [{ destination: { host: reviews }, weight: -1 }] }] }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: bad2 }
spec: { trafficPolicy: {} }
`;
    const res = await api('POST', '/api/apply', bad);
    assert.equal(res.status, 400);
    const errors = res.body.errors as { document: string; path: string }[];
    assert.ok(
      errors.some((e) => e.document.includes('bad1')),
      JSON.stringify(errors),
    );
    assert.ok(
      errors.some((e) => e.document.includes('bad2') && e.path.includes('host')),
      JSON.stringify(errors),
    );
    const after1 = await api('GET', '/api/status');
    assert.equal(after1.body.configVersion, before.body.configVersion);
  });

  it('get, list, delete and validate', async () => {
    const one = await api('GET', '/api/config/vs/default/reviews');
    assert.equal(one.status, 200);
    assert.equal((one.body.metadata as { name: string }).name, 'reviews');
    const list = await api('GET', '/api/config?kind=DestinationRule');
    assert.equal((list.body.items as unknown[]).length, 4);
    assert.equal((await api('GET', '/api/config/nosuchkind')).status, 400);
    assert.equal((await api('GET', '/api/config/vs/default/nope')).status, 404);
    const vs = sample('samples-bookinfo-networking-virtual-service-reviews-jason-v2-v3.yaml');
    // Validated with the stored config, like istioctl analyze on a cluster: the stored
    // DestinationRule defines v2 and v3.
    const withStore = await api('POST', '/api/validate', vs);
    assert.equal(withStore.status, 200);
    assert.equal(withStore.body.valid, true, JSON.stringify(withStore.body.errors));
    const nope = await api('POST', '/api/validate', vs.replace('subset: v2', 'subset: v9'));
    assert.equal(nope.body.valid, false);
    assert.match(JSON.stringify(nope.body.errors), /reviews\+v9/);
    // A file's DestinationRule replaces the stored one: without v3 the route breaks.
    const dr = sample('samples-bookinfo-networking-destination-rule-all.yaml');
    const noV3 = dr.replace(/\n {2}- name: v3\n {4}labels:\n {6}version: v3/, '');
    assert.notEqual(noV3, dr);
    const v = await api('POST', '/api/validate', `${noV3}\n---\n${vs}`);
    assert.equal(v.body.valid, false);
    assert.match(JSON.stringify(v.body.errors), /reviews\+v3/);
    assert.equal((await api('DELETE', '/api/config/dr/default/details')).status, 200);
    assert.equal((await api('DELETE', '/api/config/dr/default/details')).status, 404);
    assert.equal((await api('GET', '/no/such/thing')).status, 404);
  });

  it('status, registry views, YAML output and bad requests', async () => {
    const status = await api('GET', '/api/status');
    assert.equal((status.body.xds as { port: number }).port > 0, true);
    assert.equal((status.body.objects as Record<string, number>).ServiceEntry, 1);
    const endpoints = await api('GET', '/api/registry/endpoints?host=reviews.default.svc.cluster.local');
    assert.deepEqual((endpoints.body.items as { port: number }[]).map((e) => e.port).sort(), [19081, 19082]);
    const yaml = await fetch(`${admin}/api/config/vs/default/reviews?output=yaml`);
    assert.match(yaml.headers.get('content-type') ?? '', /yaml/);
    assert.match(await yaml.text(), /^apiVersion: networking\.istio\.io\/v1\nkind: VirtualService/);
    assert.equal((await api('DELETE', '/api/config/vs')).status, 400);
    const dump = await api('GET', '/debug/config_dump');
    assert.equal(dump.status, 400);
    assert.match(String(dump.body.error), /proxy=/);
    const syntax = await api('POST', '/api/apply', 'kind: [unclosed');
    assert.equal(syntax.status, 400);
    assert.ok((syntax.body.errors as unknown[]).length > 0);
  });

  it('a client announcing its service in node metadata is registered while its stream lives', async () => {
    const s = sotwStream(conn.client);
    const node = {
      id: 'greeter-1',
      metadata: {
        SHOAL_APP: 'greeter',
        SHOAL_PORT: '50051',
        SHOAL_SERVICES: ['greet.v1.GreeterService'],
        SHOAL_LABELS: { version: 'v1' },
        INSTANCE_IPS: '127.0.0.1',
      },
    };
    s.send(sotwRequest({ node, typeUrl: LDS, resourceNames: ['greet.v1.GreeterService'] }));
    // The registration lands a moment after the stream opens: the first answer may miss it.
    let res = await s.recv();
    if (res.resources.length === 0) {
      s.send(sotwAck(LDS, ['greet.v1.GreeterService'], res));
      res = await s.recv();
    }
    assert.equal(fromBinary(envoy.ListenerSchema, res.resources[0]!.value).name, 'greet.v1.GreeterService');
    const services = await api('GET', '/api/registry/services');
    assert.ok(
      (services.body.items as { hostname: string }[]).some(
        (x) => x.hostname === 'greeter.default.svc.cluster.local',
      ),
    );
    s.close();
    // Lease ended: gone after the grace period.
    const deadline = Date.now() + 2000;
    for (;;) {
      const now = await api('GET', '/api/registry/services');
      if (!(now.body.items as { hostname: string }[]).some((x) => x.hostname.startsWith('greeter.'))) break;
      assert.ok(Date.now() < deadline, 'registration removed after the stream ended');
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});

describe('ControlPlane: config directory and start-up errors', () => {
  it('loads a config directory at start and follows its changes', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'shoal-cp-'));
    writeFileSync(join(dir, 'services.yaml'), SERVICES);
    writeFileSync(join(dir, 'dr.yaml'), sample('samples-bookinfo-networking-destination-rule-all.yaml'));
    const cp = new ControlPlane({ xdsPort: 0, adminPort: 0, configDir: dir });
    try {
      const started = await cp.start();
      assert.equal(started.config?.ok, true);
      assert.deepEqual(started.config?.files.map((f) => f.split('/').pop()).sort(), [
        'dr.yaml',
        'services.yaml',
      ]);
      assert.equal(cp.store.list('DestinationRule').length, 4);
      const conn = adsClient(started.xds.port);
      const s = sotwStream(conn.client);
      s.send(sotwRequest({ node: { id: 'dir-client' }, typeUrl: RDS, resourceNames: ['reviews:9080'] }));
      const first = await s.recv();
      s.send(sotwAck(RDS, ['reviews:9080'], first));
      writeFileSync(
        join(dir, 'vs.yaml'),
        sample('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml'),
      );
      const pushed = await s.recv(5000);
      assert.deepEqual(weightsOf(pushed), [80, 20]);
      s.close();
      conn.close();
    } finally {
      await cp.stop(100);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a port in use fails start with the error and leaves nothing listening', async () => {
    const first = new ControlPlane({ xdsPort: 0, adminPort: 0 });
    const { admin } = await first.start();
    const second = new ControlPlane({ xdsPort: 0, adminPort: admin.port });
    try {
      await assert.rejects(second.start(), /EADDRINUSE/);
    } finally {
      await first.stop(100);
    }
  });
});
