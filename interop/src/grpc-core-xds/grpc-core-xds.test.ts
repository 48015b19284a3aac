// gRPC C-core (Debian's python3-grpcio, an xDS client nobody here wrote, older than gRFC A63)
// and @grpc/grpc-js-xds side by side against `shoal cp`, run as a user runs it: a weighted split,
// a header route, a timeout, faults, the LB policies each release reads, and proxy-status naming
// each client, and an instance disabled by hand (`shoal instance disable`). Backends are plain
// @grpc/grpc-js servers registered through WorkloadEntries. Then C-core as an xDS-enabled server
// (gRFC A36) enforcing an AuthorizationPolicy's RBAC (A41).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { freePort, ShoalCpProcess } from '@shoal/testing';
import {
  type Backend,
  bootstrapJson,
  DELAY_HEADER,
  eventually,
  registryYaml,
  reviewsVs,
  startBackend,
  stopBackend,
} from '../grpc-js-xds/harness.js';
import { CoreXdsPeer, grpcioVersion } from './core-xds-peer.js';
import { corePeer, grpcJsPeer, share, type XdsPeer } from './xds-peers.js';

const TESTDATA = new URL('../../../../shared/testdata/istio/', import.meta.url);
const sample = (file: string) => readFileSync(new URL(file, TESTDATA), 'utf8');
const HOST = 'reviews.default.svc.cluster.local';
const TARGET = 'xds:///reviews:9080';
const CORE_NODE = 'grpc-core-client';
const CORE_SERVER_NODE = 'grpc-core-server';
const JS_NODE = 'grpc-js-client';

const destinationRule = (trafficPolicy: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  trafficPolicy: ${trafficPolicy}
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }, { name: v3, labels: { version: v3 } }]`;

interface SyncState {
  nodeId: string;
  types: Record<string, { state: string; lastNack?: { message: string } }>;
}

describe('gRPC C-core (python3-grpcio) and grpc-js-xds against `shoal cp`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-grpc-core-'));
  const backends: Backend[] = [];
  let cp: ShoalCpProcess;
  let core: CoreXdsPeer | undefined;
  let coreServer: CoreXdsPeer | undefined;
  let jsClient: grpc.Client | undefined;
  let peers: XdsPeer[] = [];
  let coreVersion = '';

  /** Runs `check` on every peer until it holds for each (config reaches clients asynchronously). */
  const onEveryPeer = (check: (p: XdsPeer) => Promise<boolean>, what: string) =>
    Promise.all(peers.map((p) => eventually(() => check(p), 8000, `${p.name}: ${what}`)));

  const syncz = async (): Promise<SyncState[]> =>
    ((await (await fetch(`http://${cp.admin}/debug/syncz`)).json()) as { clients: SyncState[] }).clients;

  /** What is not SYNCED yet of both clients (empty once both ACKed the latest push). */
  const allSynced = async () => {
    const clients = (await syncz()).filter((c) => c.nodeId === CORE_NODE || c.nodeId === JS_NODE);
    const states = clients.flatMap((c) =>
      Object.entries(c.types).map(([t, s]) => `${c.nodeId} ${t} ${s.state}`),
    );
    return clients.length === 2 && states.every((s) => s.endsWith('SYNCED')) ? [] : states;
  };

  /** Waits until both clients ACKed everything they were sent. */
  const synced = () =>
    eventually(async () => (await allSynced()).length === 0, 8000, 'both clients to ACK').catch(async (err) =>
      assert.fail(`${err}: ${JSON.stringify(await syncz())}`),
    );

  before(async () => {
    coreVersion = grpcioVersion();
    cp = await ShoalCpProcess.start();
    for (const name of ['v1', 'v2', 'v3']) backends.push(await startBackend(name));
    await cp.apply(
      `${registryYaml(HOST, 9080, backends)}\n---\n${sample('samples-bookinfo-networking-destination-rule-all.yaml')}`,
    );
    await cp.apply(sample('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml'));
    const bootstrap = join(dir, 'bootstrap.json');
    writeFileSync(bootstrap, bootstrapJson(cp.xdsPort, CORE_NODE));
    const started = await CoreXdsPeer.start(bootstrap);
    core = started.peer;
    assert.equal(started.version, coreVersion);
    // grpc-js-xds reads the bootstrap once, at its first xDS channel.
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = bootstrapJson(cp.xdsPort, JS_NODE);
    xds.register();
    jsClient = new grpc.Client(TARGET, grpc.credentials.createInsecure());
    peers = [corePeer(`gRPC C-core ${coreVersion}`, core, TARGET), grpcJsPeer('grpc-js-xds', jsClient)];
  });

  after(async () => {
    await core?.close();
    await coreServer?.close();
    await Promise.all(backends.map((b) => stopBackend(b)));
    await cp?.stop();
    // After the control plane: grpc-js-xds may keep a connection half-closed by its server (in
    // CLOSE-WAIT) until its channel closes, which would keep this process alive.
    jsClient?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('weighted split: Bookinfo 80/20 lands within ±8 points over 400 calls on each client', async () => {
    for (const peer of peers) {
      const r = await peer.calls({ count: 400, concurrency: 20 });
      assert.deepEqual(r.errors, {}, `${peer.name}: ${JSON.stringify(r.messages)}`);
      const v1 = share(r, 'v1');
      assert.ok(Math.abs(v1 - 80) <= 8, `${peer.name}: v1 got ${v1.toFixed(1)}% (${JSON.stringify(r.ok)})`);
      assert.equal(r.ok.v3, undefined);
    }
  });

  it('header route: end-user jason → v2, everyone else → v3 (the route C-core 1.51 used to NACK)', async () => {
    await cp.apply(sample('samples-bookinfo-networking-virtual-service-reviews-jason-v2-v3.yaml'));
    await synced();
    await onEveryPeer(async (p) => (await p.calls({ count: 5 })).ok.v3 === 5, 'the jason route config');
    for (const peer of peers) {
      const jason = await peer.calls({ count: 50, concurrency: 10, metadata: { 'end-user': 'jason' } });
      const others = await peer.calls({ count: 50, concurrency: 10 });
      assert.deepEqual(jason.ok, { v2: 50 }, peer.name);
      assert.deepEqual(others.ok, { v3: 50 }, peer.name);
    }
    assert.deepEqual(await allSynced(), []);
  });

  it('timeout: a route timeout of 4 s ends a call the backend holds for 10 s', async () => {
    await cp.apply(reviewsVs('  - timeout: 4s\n    route: [{ destination: { host: reviews, subset: v1 } }]'));
    await synced();
    await onEveryPeer(async (p) => (await p.calls({ count: 3 })).ok.v1 === 3, 'the v1-only route');
    // The callers' own deadline is 30 s and the backend answers after 10 s: DEADLINE_EXCEEDED can
    // only come from the route. (C-core 1.51 ends such calls up to ~1.5 s early: 4 s, not 300 ms.)
    const slow = { count: 2, concurrency: 2, metadata: { [DELAY_HEADER]: '10000' }, timeoutMs: 30_000 };
    const results = await Promise.all(peers.map((p) => p.calls(slow)));
    for (const [i, r] of results.entries())
      assert.deepEqual(r.errors, { DEADLINE_EXCEEDED: 2 }, peers[i]!.name);
    for (const peer of peers) {
      const r = await peer.calls({ count: 20, concurrency: 5 });
      assert.deepEqual(r.ok, { v1: 20 }, `${peer.name}: ${JSON.stringify(r.messages)}`);
    }
  });

  it('fault injection: a 503 abort for jason, and a 400 ms delay for everyone', async () => {
    await cp.apply(
      reviewsVs(`  - match: [{ headers: { end-user: { exact: jason } } }]
    fault: { abort: { httpStatus: 503, percentage: { value: 100 } } }
    route: [{ destination: { host: reviews, subset: v1 } }]
  - fault: { delay: { fixedDelay: 400ms, percentage: { value: 100 } } }
    route: [{ destination: { host: reviews, subset: v2 } }]`),
    );
    await synced();
    const jason = { count: 5, metadata: { 'end-user': 'jason' } };
    await onEveryPeer(
      async (p) => (await p.calls(jason)).errors.UNAVAILABLE === 5,
      'the abort (503 → UNAVAILABLE)',
    );
    for (const peer of peers) {
      const delayed = await peer.calls({ count: 10, concurrency: 10 });
      assert.deepEqual(delayed.ok, { v2: 10 }, peer.name);
      // A lower bound only: no call can come back sooner than the injected delay.
      assert.ok(delayed.ms.min >= 390, `${peer.name}: fastest call took ${delayed.ms.min} ms`);
    }
  });

  it('LB policies: LEAST_CONN and consistent hashing reach each client as a policy it reads', async () => {
    await cp.apply(reviewsVs('  - route: [{ destination: { host: reviews } }]'));
    await cp.apply(destinationRule('{ loadBalancer: { simple: LEAST_CONN } }'));
    // C-core 1.51 and grpc-js-xds NACK LEAST_REQUEST: both are sent ROUND_ROBIN and ACK.
    await synced();
    await onEveryPeer(
      async (p) => Object.keys((await p.calls({ count: 30, concurrency: 3 })).ok).length === 3,
      'calls over all three backends',
    );
    await cp.apply(destinationRule('{ loadBalancer: { consistentHash: { httpHeaderName: x-user } } }'));
    await synced();
    // C-core 1.51 crashes in the ring hash picker (grpc/grpc#31766), so it is sent ROUND_ROBIN and
    // keeps working; grpc-js-xds gets RING_HASH and keeps each user on one backend.
    const js = peers[1]!;
    const seen = new Set<string>();
    await eventually(
      async () => Object.keys((await js.calls({ count: 10, metadata: { 'x-user': 'u0' } })).ok).length === 1,
      8000,
      'grpc-js-xds to use ring hash',
    );
    for (let u = 0; u < 8; u++) {
      const r = await js.calls({ count: 10, metadata: { 'x-user': `u${u}` } });
      assert.equal(Object.keys(r.ok).length, 1, `u${u} went to ${JSON.stringify(r.ok)}`);
      seen.add(Object.keys(r.ok)[0]!);
    }
    assert.ok(seen.size > 1, 'users spread over backends');
    const c = await peers[0]!.calls({ count: 30, concurrency: 3, metadata: { 'x-user': 'u0' } });
    assert.deepEqual(c.errors, {});
    assert.deepEqual(await allSynced(), []);
  });

  it('as an xDS-enabled server, C-core takes its inbound listener and enforces RBAC from an AuthorizationPolicy', async () => {
    await cp.apply(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: who }
spec:
  selector: { matchLabels: { app: who } }
  rules:
  - to: [{ operation: { methods: [POST], hosts: ['127.0.0.1*'], paths: ['/shoal.interop.v1.Who/*'] } }]
    when: [{ key: 'request.headers[x-tenant]', values: [acme] }]`);
    const bootstrap = JSON.parse(bootstrapJson(cp.xdsPort, CORE_SERVER_NODE));
    bootstrap.node.metadata.LABELS = { app: 'who' };
    const path = join(dir, 'server-bootstrap.json');
    writeFileSync(path, JSON.stringify(bootstrap));
    coreServer = (await CoreXdsPeer.start(path)).peer;
    const port = await freePort();
    await coreServer.serve(port, 'core-server');
    const plain = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const direct = grpcJsPeer('direct', plain);
    try {
      // The RBAC filter's header, :authority (case-insensitive) and :method matchers in the fields
      // C-core 1.51 reads; with string_match it NACKed the listener and never served.
      await eventually(
        async () => (await direct.calls({ count: 1 })).errors.PERMISSION_DENIED === 1,
        8000,
        'the server to serve with its RBAC',
      );
      assert.deepEqual((await direct.calls({ count: 3, metadata: { 'x-tenant': 'acme' } })).ok, {
        'core-server': 3,
      });
      assert.deepEqual((await direct.calls({ count: 3, metadata: { 'x-tenant': 'other' } })).errors, {
        PERMISSION_DENIED: 3,
      });
    } finally {
      plain.close();
    }
    const server = (await syncz()).find((c) => c.nodeId === CORE_SERVER_NODE);
    assert.equal(server?.types.LDS?.state, 'SYNCED');
  });

  it('`shoal proxy-status` names each client with its implementation and version', async () => {
    const r = await cp.shoal(['proxy-status']);
    assert.equal(r.code, 0, r.stderr);
    const line = (node: string) => r.stdout.split('\n').find((l) => l.startsWith(node)) ?? '';
    assert.match(
      line(CORE_NODE),
      new RegExp(`gRPC C-core ${coreVersion.replaceAll('.', '\\.')} \\(Python\\)$`),
    );
    assert.match(line(JS_NODE), /grpc-js-xds \d+\.\d+\.\d+$/);
    assert.doesNotMatch(r.stdout, /NACK/);
  });

  it('an instance disabled by hand (UNHEALTHY) gets no calls from C-core until enabled', async () => {
    // grpc-js-xds is checked the same way in interop/src/drain/. It leaves here first: on this
    // update its priority balancer starts a 15-minute timer that is neither unref'd nor cleared
    // when the channel closes, which would keep this process alive.
    jsClient?.close();
    jsClient = undefined;
    const core = peers[0]!;
    await cp.apply(destinationRule('{ loadBalancer: { simple: ROUND_ROBIN } }'));
    const address = `127.0.0.1:${backends[0]!.port}`;
    const disable = await cp.shoal(['instance', 'disable', address, '--reason', 'interop']);
    assert.equal(disable.code, 0, disable.stderr);
    await eventually(
      async () => {
        const r = await core.calls({ count: 30, concurrency: 3 });
        return r.ok.v1 === undefined && Object.keys(r.ok).length === 2;
      },
      8000,
      'C-core calls to leave v1',
    );
    assert.deepEqual((await core.calls({ count: 30, concurrency: 3 })).ok.v1, undefined);
    assert.equal((await cp.shoal(['instance', 'enable', address])).code, 0);
    await eventually(
      async () => (await core.calls({ count: 30, concurrency: 3 })).ok.v1 !== undefined,
      8000,
      'v1 back',
    );
  });
});
