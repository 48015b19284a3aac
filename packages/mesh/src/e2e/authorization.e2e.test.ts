// Istio's AuthorizationPolicy through Shoal's control plane, enforced by a Shoal provider's
// xDS-enabled server (gRFC A41): allowed methods pass, others get PERMISSION_DENIED.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Code, RpcError } from '@shoal/rpc';
import { MeshHarness, waitFor } from './mesh-harness.js';

describe('e2e: AuthorizationPolicy on a self-registered provider', () => {
  let mesh: MeshHarness;
  before(async () => {
    mesh = await MeshHarness.start();
    await mesh.provider('p1', { ip: '127.0.0.2', labels: { app: 'greeter' } });
  });
  after(() => mesh.stop());

  it('allows the listed method and denies the others', async () => {
    const c = mesh.consumer();
    await waitFor(
      () =>
        c.farewell({}).then(
          () => true,
          () => false,
        ),
      'the first route',
    );
    mesh.apply(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: hello-only, namespace: default }
spec:
  selector: { matchLabels: { app: greeter } }
  action: ALLOW
  rules:
  - to:
    - operation: { paths: [/shoal.meshtest.v1.Greeter/SayHello] }
`);
    await waitFor(
      () =>
        c.farewell({}).then(
          () => false,
          (e) => RpcError.from(e).code === Code.PERMISSION_DENIED,
        ),
      'the policy to reach the provider',
    );
    assert.equal((await c.sayHello({})).server, 'p1');
    await assert.rejects(c.farewell({}), /RBAC: access denied/);
  });
});
