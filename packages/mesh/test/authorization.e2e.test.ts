// Istio's AuthorizationPolicy through Shoal's control plane, enforced by a Shoal provider's
// xDS-enabled server (gRFC A41): allowed methods pass, others get PERMISSION_DENIED; source
// addresses (remoteIpBlocks → remote_ip, ipBlocks → direct_remote_ip) are checked against the
// caller's connection.

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
    await mesh.apply(`
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

  it("checks the caller's address: remoteIpBlocks allows 127.0.0.0/8, ipBlocks denies it", async () => {
    await mesh.controlPlane.store.delete('AuthorizationPolicy', 'default', 'hello-only');
    const c = mesh.consumer(); // calls from 127.0.0.1 to the provider on 127.0.0.2
    const outcome = () =>
      c.sayHello({}).then(
        (r) => r.server,
        (e) => {
          const err = RpcError.from(e);
          return `${Code[err.code]}: ${err.rawMessage}`;
        },
      );
    const allowFrom = (range: string) =>
      mesh.apply(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: from-range, namespace: default }
spec:
  selector: { matchLabels: { app: greeter } }
  action: ALLOW
  rules:
  - from:
    - source: { remoteIpBlocks: ["${range}"] }
`);
    // Another range first: its PERMISSION_DENIED shows the policy arrived, so that the allow
    // below comes from the address matching (an address the server could not see would deny).
    await allowFrom('10.0.0.0/8');
    await waitFor(async () => (await outcome()).startsWith('PERMISSION_DENIED'), 'the 10.0.0.0/8 policy');
    await allowFrom('127.0.0.0/8');
    await waitFor(async () => (await outcome()) === 'p1', 'the 127.0.0.0/8 policy to allow the call');
    assert.equal((await c.farewell({})).server, 'p1');

    // A DENY policy beside the ALLOW one (two RBAC filters, DENY first): the DENY wins.
    await mesh.apply(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: deny-loopback, namespace: default }
spec:
  selector: { matchLabels: { app: greeter } }
  action: DENY
  rules:
  - from:
    - source: { ipBlocks: ["127.0.0.0/8"] }
`);
    await waitFor(async () => (await outcome()) !== 'p1', 'the DENY policy');
    assert.match(await outcome(), /^PERMISSION_DENIED: RBAC: access denied by policy .*deny-loopback/);
    await mesh.controlPlane.store.delete('AuthorizationPolicy', 'default', 'deny-loopback');
    await waitFor(async () => (await outcome()) === 'p1', 'the ALLOW policy alone again');
    await mesh.controlPlane.store.delete('AuthorizationPolicy', 'default', 'from-range');
  });
});
