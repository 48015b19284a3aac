// Shoal's control plane against a client no one here wrote: @grpc/grpc-js-xds, with plain
// @grpc/grpc-js backends registered through WorkloadEntries, and Istio's Bookinfo samples as the
// routing config (hosts as written: `reviews` expands to reviews.default.svc.cluster.local).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { freePort } from '@shoal/testing';
import {
  applyConfig,
  type Backend,
  bootstrapJson,
  ControlPlane,
  callWho,
  eventually,
  rawUnaryMethod,
  registryYaml,
  spread,
  startBackend,
  stopBackend,
  WHO_PATH,
} from './harness.js';

const TESTDATA = new URL('../../../../shared/testdata/istio/', import.meta.url);
const sample = (file: string) => readFileSync(new URL(file, TESTDATA), 'utf8');
const HOST = 'reviews.default.svc.cluster.local';
const NODE_ID = 'sidecar~127.0.0.1~interop.default~default.svc.cluster.local';

const share = (counts: Record<string, number>, name: string) => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : ((counts[name] ?? 0) * 100) / total;
};

describe('grpc-js-xds against the Shoal control plane', () => {
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0, loadReportingIntervalMs: 300 });
  const backends: Backend[] = [];
  let admin = '';
  let client: grpc.Client;

  const apply = (yaml: string) => applyConfig(admin, cp.adminToken, yaml);
  const syncz = async () =>
    (
      (await (await fetch(`${admin}/debug/syncz`)).json()) as {
        clients: {
          nodeId: string;
          types: Record<string, { state: string; lastNack?: { message: string } }>;
        }[];
      }
    ).clients;

  before(async () => {
    const { xds: x, admin: a } = await cp.start();
    admin = `http://${a.host}:${a.port}`;
    for (const name of ['v1', 'v2', 'v3']) backends.push(await startBackend(name));
    await apply(
      `${registryYaml(HOST, 9080, backends)}\n---\n${sample('samples-bookinfo-networking-destination-rule-all.yaml')}`,
    );
    await apply(sample('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml'));
    // grpc-js-xds reads the bootstrap once, at its first xDS channel.
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = bootstrapJson(x.port, NODE_ID);
    xds.register();
    client = new grpc.Client('xds:///reviews:9080', grpc.credentials.createInsecure());
    // The xDS handshake (LDS, RDS, CDS, EDS) and the first connections happen here, not inside
    // the first test's 5 s call deadlines (under load they took 3.6-4.5 s there).
    await new Promise<void>((resolve, reject) =>
      client.waitForReady(Date.now() + 60_000, (err) => (err ? reject(err) : resolve())),
    );
  });

  after(async () => {
    client?.close();
    await Promise.all(backends.map(stopBackend));
    await cp.stop(200);
  });

  it('Bookinfo 80/20 split lands within ±5 points over 2,000 calls', async () => {
    const { counts, failures } = await spread(client, 2000);
    assert.deepEqual(failures, []);
    const v1 = share(counts, 'v1');
    assert.ok(Math.abs(v1 - 80) <= 5, `v1 got ${v1.toFixed(1)}% (${JSON.stringify(counts)})`);
    assert.equal(counts.v3, undefined);
  });

  it('reports its load over LRS: the traffic graph shows its edges to reviews v1 and v2', async () => {
    // The clusters say lrs_server: self, so grpc-js-xds streams load reports to the control plane.
    await spread(client, 200);
    type View = import('@shoal/control-plane/admin-api').LoadReportView;
    let view: View | undefined;
    await eventually(
      async () => {
        view = (await (await fetch(`${admin}/api/load-reports?window=30`)).json()) as View;
        const subsets = new Set(
          view.edges.filter((e) => e.source.node === NODE_ID).map((e) => e.destination.subset),
        );
        return subsets.has('v1') && subsets.has('v2');
      },
      8000,
      'grpc-js-xds load reports for both subsets',
    );
    assert.ok(
      view!.reporters.some((r) => r.node === NODE_ID),
      'its LRS stream is listed',
    );
    const v1 = view!.edges.find((e) => e.source.node === NODE_ID && e.destination.subset === 'v1')!;
    assert.equal(v1.destination.service, HOST);
    assert.equal(v1.destination.port, 9080);
    assert.ok(v1.issued > 0 && v1.succeeded > 0 && v1.requestsPerSecond > 0, JSON.stringify(v1));
    assert.equal(v1.errored, 0);
    assert.ok(v1.endpoints.length >= 1);
  });

  it('changing the weights live moves traffic without a failed call', async () => {
    let running = true;
    const failures: Error[] = [];
    const background = (async () => {
      while (running) {
        const r = await spread(client, 50, 5);
        failures.push(...r.failures);
      }
    })();
    const swapped = sample('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml')
      .replace('weight: 80', 'weight: X')
      .replace('weight: 20', 'weight: 80')
      .replace('weight: X', 'weight: 20');
    await apply(swapped);
    await eventually(
      async () => share((await spread(client, 200)).counts, 'v2') > 65,
      5000,
      'traffic to move to v2',
    );
    const { counts } = await spread(client, 1000);
    running = false;
    await background;
    assert.deepEqual(failures, []);
    assert.ok(Math.abs(share(counts, 'v2') - 80) <= 6, JSON.stringify(counts));
  });

  it('header routing: end-user jason → v2, everyone else → v3', async () => {
    await apply(sample('samples-bookinfo-networking-virtual-service-reviews-jason-v2-v3.yaml'));
    const jason = () => {
      const md = new grpc.Metadata();
      md.set('end-user', 'jason');
      return md;
    };
    await eventually(async () => (await callWho(client)) === 'v3', 5000, 'the jason route config');
    const withHeader = await spread(client, 100, 10, jason);
    const without = await spread(client, 100, 10);
    assert.deepEqual(withHeader.counts, { v2: 100 });
    assert.deepEqual(without.counts, { v3: 100 });
  });

  it('fault abort (100%) fails matching calls; others still go through', async () => {
    await apply(
      sample('samples-bookinfo-networking-virtual-service-ratings-test-abort.yaml')
        .replaceAll('ratings', 'reviews')
        .replace('httpStatus: 500', 'httpStatus: 503'),
    );
    const md = new grpc.Metadata();
    md.set('end-user', 'jason');
    await eventually(
      () =>
        callWho(client, md).then(
          () => false,
          (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE,
        ),
      5000,
      'the abort fault (HTTP 503 → UNAVAILABLE)',
    );
    assert.equal(await callWho(client), 'v1');
  });

  it('ring hash: the same x-user header always reaches the same backend', async () => {
    await apply(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews } }] }]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: x-user } } }
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }, { name: v3, labels: { version: v3 } }]`);
    const as = (user: string) => () => {
      const md = new grpc.Metadata();
      md.set('x-user', user);
      return md;
    };
    // The route and the ring-hash cluster arrive in separate responses; until both have, calls
    // with one header still spread round robin over the three backends.
    await eventually(
      async () =>
        Object.keys((await spread(client, 30, 10)).counts).length === 3 &&
        Object.keys((await spread(client, 20, 5, as('probe'))).counts).length === 1,
      5000,
      'the route to the whole service, hashed by x-user',
    );
    // grpc-js connects a ring entry only at its first pick, and the check above does not prove
    // that every entry was picked (its three backends may come from the previous route). Reach
    // every backend through the hashed route first, so no call below waits for a connection.
    const reached = new Set<string>();
    for (let u = 0; u < 60 && reached.size < 3; u++) {
      for (const name of Object.keys((await spread(client, 5, 5, as(`warm-${u}`))).counts)) reached.add(name);
    }
    assert.equal(reached.size, 3, `hashed calls reached only ${[...reached].join(', ')}`);
    const seen = new Set<string>();
    for (let u = 0; u < 12; u++) {
      const { counts, failures } = await spread(client, 20, 5, as(`user-${u}`));
      assert.deepEqual(failures, []);
      assert.equal(Object.keys(counts).length, 1, `user-${u} went to ${JSON.stringify(counts)}`);
      seen.add(Object.keys(counts)[0]!);
    }
    assert.ok(seen.size > 1, 'different users spread over backends');
  });

  it('an invalid push is NACKed by the client and shows in proxy status; calls keep working', async () => {
    await apply(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: x-user, minimumRingSize: 9000000 } } }
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }, { name: v3, labels: { version: v3 } }]`);
    let message = '';
    await eventually(
      async () => {
        const me = (await syncz()).find((c) => c.nodeId === NODE_ID && c.types.CDS?.state === 'NACKED');
        message = me?.types.CDS?.lastNack?.message ?? '';
        return me !== undefined;
      },
      5000,
      'a CDS NACK in /debug/syncz',
    );
    assert.match(message, /minimum_ring_size/);
    const { failures } = await spread(client, 50, 5);
    assert.deepEqual(failures, []);
  });

  it('an xDS-enabled XdsServer gets its inbound listener and serves', async () => {
    const port = await freePort();
    const server = new xds.XdsServer();
    const backend = await new Promise<Backend>((resolve, reject) => {
      // XdsServer binds only an explicit IP:port; it serves once its Listener arrives.
      server.addService({ Name: rawUnaryMethod(WHO_PATH) } as unknown as grpc.ServiceDefinition, {
        Name: (_c: unknown, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from('xds-server')),
      });
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve({ name: 'xds-server', port, server }),
      );
    });
    const direct = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      await eventually(
        () =>
          callWho(direct, undefined, 1000).then(
            (name) => name === 'xds-server',
            () => false,
          ),
        8000,
        'the XdsServer to serve',
      );
      const me = (await syncz()).find((c) => c.nodeId === NODE_ID && c.types.LDS?.state === 'SYNCED');
      assert.ok(me, 'LDS (with the inbound listener) ACKed');
    } finally {
      direct.close();
      await stopBackend(backend);
    }
  });
});
