// Dubbo's traffic-management tasks on resilience (same-zone priority with failover, temporarily
// kicking out a failing instance and its return) as end-to-end tests through Shoal's control plane.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Code } from '@shoal/rpc';
import { meshTransportOf } from '../src/client/create-mesh-client.js';
import { type Consumer, MeshHarness, tally, waitFor } from './mesh-harness.js';

/** True once the consumer's snapshot has a cluster with outlier detection. */
function outlierDetectionArrived(c: Consumer): boolean {
  const clusters = meshTransportOf(c).currentConfig?.clusters.values() ?? [];
  return [...clusters].some((x) => x.status === 'ok' && x.cluster.outlierDetection !== undefined);
}

const destinationRule = (trafficPolicy: string) => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: greeter, namespace: default }
spec:
  host: greeter
  trafficPolicy:
${trafficPolicy}
`;

describe('e2e: Dubbo traffic tasks through Shoal’s control plane (resilience)', () => {
  let mesh: MeshHarness | undefined;
  afterEach(() => mesh?.stop());

  it('(4) prefers the same zone and fails over to another when it fails', async () => {
    mesh = await MeshHarness.start();
    const local = await mesh.provider('zone-a', { ip: '127.0.0.2', zone: 'zone-a' });
    await mesh.provider('zone-b', { ip: '127.0.0.3', zone: 'zone-b' });
    await mesh.apply(
      destinationRule(`
    loadBalancer:
      localityLbSetting: { enabled: true }
    outlierDetection:
      consecutive5xxErrors: 2
      interval: 50ms
      baseEjectionTime: 1500ms
      maxEjectionPercent: 100`),
    );
    const c = mesh.consumer({ zone: 'zone-a' });
    await waitFor(
      async () => (await tally(c, 1))['zone-a'] === 1 && c.decisions.at(-1)?.priority === 0,
      'locality priorities',
    );
    await waitFor(() => outlierDetectionArrived(c), 'the DestinationRule’s outlier detection');
    assert.deepEqual(await tally(c, 20), { 'zone-a': 20 }, 'all traffic stays in the caller’s zone');
    const other = mesh.consumer({ zone: 'zone-b' });
    await waitFor(async () => (await tally(other, 1))['zone-b'] === 1, 'the zone-b consumer');
    assert.deepEqual(await tally(other, 10), { 'zone-b': 10 });

    local.failWith = Code.UNAVAILABLE;
    const mark = c.decisions.length;
    const during = await tally(c, 20);
    // Istio's default retry policy retries UNAVAILABLE, so the failures may never reach the caller;
    // either way two of them eject zone-a and zone-b serves from then on.
    assert.ok((during.UNAVAILABLE ?? 0) <= 2 && (during['zone-b'] ?? 0) >= 18, JSON.stringify(during));
    const toLocal = c.decisions.slice(mark).filter((d) => d.endpoint?.startsWith(`${local.ip}:`));
    assert.equal(toLocal.length, 2, 'zone-a gets exactly the two attempts that eject it');
    assert.equal(c.decisions.at(-1)?.priority, 1);
    assert.equal(Object.values(meshTransportOf(c).clusterState())[0]?.ejected.length, 1);

    local.failWith = undefined;
    await waitFor(
      async () => (await tally(c, 1))['zone-a'] === 1,
      'zone-a to return after its ejection',
      6000,
    );
    assert.deepEqual(await tally(c, 10), { 'zone-a': 10 });
  });

  it('(5) kicks out a failing instance for a while and takes it back', async () => {
    mesh = await MeshHarness.start();
    await mesh.provider('p1', { ip: '127.0.0.2' });
    await mesh.provider('p2', { ip: '127.0.0.3' });
    const bad = await mesh.provider('p3', { ip: '127.0.0.4' });
    await mesh.apply(
      destinationRule(`
    outlierDetection:
      consecutive5xxErrors: 2
      interval: 50ms
      baseEjectionTime: 1500ms
      maxEjectionPercent: 50`),
    );
    const c = mesh.consumer();
    await waitFor(async () => Object.keys(await tally(c, 6)).length === 3, 'three endpoints');
    await waitFor(() => outlierDetectionArrived(c), 'the DestinationRule’s outlier detection');
    bad.failWith = Code.INTERNAL;
    const mark = c.decisions.length;
    const during = await tally(c, 30);
    assert.equal(during.INTERNAL, 2, `ejected after two failures: ${JSON.stringify(during)}`);
    assert.equal((during.p1 ?? 0) + (during.p2 ?? 0), 28);
    const toBad = c.decisions.slice(mark).filter((d) => d.endpoint?.startsWith(`${bad.ip}:`));
    assert.equal(toBad.length, 2, 'no call is sent to the ejected instance');

    bad.failWith = undefined;
    const callsBefore = bad.calls;
    await waitFor(
      async () => (await tally(c, 3)).p3 !== undefined,
      'p3 to come back after base_ejection_time',
      6000,
    );
    assert.ok(bad.calls > callsBefore);
  });
});
