// An xDS-enabled grpc-js-xds XdsServer configured by Shoal's control plane: its inbound listener,
// and AuthorizationPolicy enforced by grpc-js-xds's RBAC filter (gRFC A41).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { freePort } from '@shoal/testing';
import {
  applyConfig,
  bootstrapJson,
  ControlPlane,
  callWho,
  eventually,
  rawUnaryMethod,
  stopBackend,
  WHO_PATH,
} from './harness.js';

const NODE_ID = 'sidecar~127.0.0.1~server.default~default.svc.cluster.local';

describe('grpc-js-xds XdsServer against the Shoal control plane', () => {
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0 });
  let admin = '';
  let server: grpc.Server;
  let client: grpc.Client;

  const apply = (yaml: string) => applyConfig(admin, cp.adminToken, yaml);
  const remove = async (path: string) =>
    assert.equal(
      (
        await fetch(`${admin}${path}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${cp.adminToken}` },
        })
      ).status,
      200,
    );

  before(async () => {
    const { xds, admin: a } = await cp.start();
    admin = `http://${a.host}:${a.port}`;
    // Both are read when grpc-js-xds loads, so they are set before it is imported.
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = bootstrapJson(xds.port, NODE_ID);
    process.env.GRPC_XDS_EXPERIMENTAL_RBAC = 'true';
    const { XdsServer, register } = await import('@grpc/grpc-js-xds');
    register(); // also installs the HTTP filters (router, fault, RBAC) the server validates against
    const port = await freePort();
    server = new XdsServer();
    server.addService(
      {
        Name: rawUnaryMethod(WHO_PATH),
      } as unknown as grpc.ServiceDefinition,
      { Name: (_c: unknown, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from('xds-server')) },
    );
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    if (server) await stopBackend({ name: 'xds-server', port: 0, server });
    await cp.stop(200);
  });

  it('serves once its inbound listener arrives', async () => {
    await eventually(
      () =>
        callWho(client, undefined, 1000).then(
          (name) => name === 'xds-server',
          () => false,
        ),
      8000,
      'the XdsServer to serve',
    );
  });

  it('AuthorizationPolicy DENY on a header is enforced, and lifted when deleted', async () => {
    await apply(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: deny-blocked, namespace: default }
spec:
  action: DENY
  rules: [{ when: [{ key: "request.headers[x-blocked]", values: ["yes"] }] }]`);
    const blocked = new grpc.Metadata();
    blocked.set('x-blocked', 'yes');
    await eventually(
      () =>
        callWho(client, blocked, 1000).then(
          () => false,
          (err: grpc.ServiceError) => err.code === grpc.status.PERMISSION_DENIED,
        ),
      8000,
      'PERMISSION_DENIED for x-blocked: yes',
    );
    assert.equal(await callWho(client), 'xds-server', 'other calls still pass');
    await remove('/api/config/AuthorizationPolicy/default/deny-blocked');
    await eventually(
      () =>
        callWho(client, blocked, 1000).then(
          (n) => n === 'xds-server',
          () => false,
        ),
      8000,
      'the policy to be lifted',
    );
  });

  it('an ALLOW policy admits only what it matches', async () => {
    await apply(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: allow-team, namespace: default }
spec:
  action: ALLOW
  rules: [{ to: [{ operation: { paths: ["/shoal.interop.v1.Who/*"] } }], when: [{ key: "request.headers[x-team]", values: ["core"] }] }]`);
    const team = new grpc.Metadata();
    team.set('x-team', 'core');
    await eventually(
      () =>
        callWho(client, undefined, 1000).then(
          () => false,
          (err: grpc.ServiceError) => err.code === grpc.status.PERMISSION_DENIED,
        ),
      8000,
      'calls without x-team: core denied',
    );
    assert.equal(await callWho(client, team), 'xds-server');
    await remove('/api/config/AuthorizationPolicy/default/allow-team');
  });
});
