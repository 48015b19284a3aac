// The control plane going away must not stop traffic (issue 4, "Control-plane faults"): a consumer
// keeps routing on the last config it received, and picks up new config once a control plane is
// back. Shoal's control plane, self-registering providers and a mesh consumer, all real.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MeshHarness, tally, waitFor } from './mesh-harness.js';

describe('e2e: control-plane faults', () => {
  let mesh: MeshHarness;
  before(async () => {
    mesh = await MeshHarness.start();
    await mesh.provider('p1', { ip: '127.0.0.2', labels: { version: 'v1' } });
    await mesh.provider('p2', { ip: '127.0.0.3', labels: { version: 'v2' } });
  });
  after(() => mesh.stop());

  it('keeps calls flowing with zero failures while the control plane is down, then takes new config', async () => {
    const c = mesh.consumer();
    await waitFor(async () => Object.keys(await tally(c, 4)).length === 2, 'both endpoints');
    let failures = 0;
    let calls = 0;
    let running = true;
    const traffic = (async () => {
      while (running) {
        calls++;
        await c.sayHello({}).catch(() => failures++);
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await mesh.stopControlPlane();
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await traffic;
    assert.ok(calls > 5, `calls went on while the control plane was down (${calls})`);
    assert.equal(failures, 0);
    // A fresh control plane knows nothing until the providers re-register on reconnect; the
    // consumer may see that empty state, so traffic is checked again once config is back.
    await mesh.restartControlPlane();
    // The new control plane knows the providers again once they re-register on reconnect.
    await mesh.apply(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: greeter, namespace: default }
spec:
  host: greeter
  subsets:
  - { name: v2, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: greeter, namespace: default }
spec:
  hosts: [greeter]
  http:
  - route:
    - destination: { host: greeter, subset: v2 }
`);
    await waitFor(async () => (await tally(c, 6)).p2 === 6, 'the new control plane’s routes', 8000);
    assert.deepEqual(await tally(c, 10), { p2: 10 });
  });
});
