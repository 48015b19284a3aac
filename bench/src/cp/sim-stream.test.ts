// The simulated ADS client of the cp suite against Shoal's real control plane: it walks the
// listener → route → clusters → endpoints of the benchmark's service, ACKs everything (the
// control plane reports it SYNCED), and a new weight reaches it as a RouteConfiguration that
// carries exactly that weight.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ControlPlane } from '@shoal/control-plane';
import { createClient, GrpcTransport } from '@shoal/rpc';
import { envoy } from '@shoal/xds';
import { expectedWeights, LISTENER, REGISTRY_YAML, weightsYaml } from './cp-config.js';
import { meets } from './figures.js';
import { decodeRoute, routeWeights, SimStream } from './sim-stream.js';

describe('SimStream against the control plane', () => {
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0 });
  let transport: GrpcTransport;

  before(async () => {
    const { xds } = await cp.start();
    await cp.store.apply(`${REGISTRY_YAML}---\n${weightsYaml(90)}`);
    transport = new GrpcTransport({ address: `127.0.0.1:${xds.port}` });
  });

  after(async () => {
    transport.close();
    await cp.stop(50);
  });

  it('syncs all four types, ACKs them, and sees a new weight in the next route', async () => {
    const stream = new SimStream(
      createClient(envoy.AggregatedDiscoveryService, transport),
      'sim-test',
      LISTENER,
    );
    void stream.start();
    try {
      await stream.synced;
      const until = Date.now() + 2000;
      const states = () =>
        Object.values(cp.ads.clients().find((c) => c.nodeId === 'sim-test')?.types ?? {}).map((t) => t.state);
      while (!(states().length === 4 && states().every((s) => s === 'SYNCED')) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(states(), ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED']);

      stream.routes = [];
      await cp.store.apply(weightsYaml(60));
      while (stream.routes.length === 0 && Date.now() < until + 2000)
        await new Promise((r) => setTimeout(r, 10));
      const arrival = stream.routes[0];
      assert.ok(arrival, 'no RouteConfiguration after the new weight');
      assert.deepEqual(routeWeights(decodeRoute(arrival.response)), expectedWeights(60));
      assert.equal(stream.error, undefined);
    } finally {
      stream.close();
    }
  });

  it('resumes a stream: every type asked at once with the versions accepted, and synced again', async () => {
    const ads = createClient(envoy.AggregatedDiscoveryService, transport);
    const first = new SimStream(ads, 'sim-resume', LISTENER);
    void first.start();
    await first.synced;
    first.close();
    const held = first.subscriptions();
    assert.equal(held.size, 4);
    for (const { names, version } of held.values()) {
      assert.ok(names.length > 0);
      assert.notEqual(version, '');
    }
    const resumed = new SimStream(ads, 'sim-resume', LISTENER, held);
    void resumed.start();
    try {
      await resumed.synced;
      assert.deepEqual(resumed.subscriptions(), held); // same names, same versions: nothing changed
      assert.equal(resumed.error, undefined);
    } finally {
      resumed.close();
    }
  });

  it('fails `synced` when the listener does not exist as a client listener', async () => {
    const stream = new SimStream(
      createClient(envoy.AggregatedDiscoveryService, transport),
      'sim-missing',
      'nowhere.default.svc.cluster.local:1',
    );
    void stream.start();
    try {
      await assert.rejects(stream.synced, /not a client listener with RDS/);
    } finally {
      stream.close();
    }
  });
});

describe('figure targets', () => {
  it('compares by the operator given', () => {
    assert.equal(meets(999, { op: '<', value: 1000 }), true);
    assert.equal(meets(1000, { op: '<', value: 1000 }), false);
    assert.equal(meets(1000, { op: '<=', value: 1000 }), true);
    assert.equal(meets(2, { op: '>=', value: 2 }), true);
    assert.equal(meets(1.99, { op: '>=', value: 2 }), false);
    assert.equal(meets(0.5, { op: '>', value: 0.5 }), false);
  });
});
