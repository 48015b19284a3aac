// Mutual TLS with peers nobody here wrote (issue 11): @grpc/grpc-js-xds with gRPC's own xDS
// security (XdsChannelCredentials, XdsServerCredentials) and certificates written by
// `shoal agent`, plain @grpc/grpc-js, and openssl, against Shoal servers and clients whose
// certificates come from Shoal's CA, under PeerAuthentication STRICT.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createMeshClient, meshTransportOf } from '@shoal/mesh';
import { Code, RpcError } from '@shoal/rpc';
import { freePort } from '@shoal/testing';
import { parseBootstrap } from '@shoal/xds';
import { TestService } from '../gen/grpc/testing/test_pb.js';
import { grpcJsTestClient } from '../xds/scenario-harness.js';
import { SecureMesh } from './secure-mesh.js';

/** Runs openssl with `input` on stdin; resolves with its stdout. */
function openssl(args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', args, { timeout: 10_000 }, (err, out) =>
      err ? reject(err) : resolve(out),
    );
    child.stdin!.end(input);
  });
}

const host = (app: string) => `${app}.default.svc.cluster.local`;

describe('mTLS with grpc-js-xds, grpc-js and openssl as peers', () => {
  let mesh: SecureMesh;
  let backend: Awaited<ReturnType<SecureMesh['shoalServer']>>;
  let target = '';

  before(async () => {
    mesh = await SecureMesh.start();
    backend = await mesh.shoalServer('backend', 'backend');
    target = `xds:///${host('backend')}:${backend.port}`;
  });
  after(() => mesh.stop());

  it('a grpc-js-xds client (XdsChannelCredentials, certificates from shoal agent) calls a Shoal server under STRICT', async () => {
    const agent = await mesh.agent('frontend');
    const client = mesh.peer('client', agent.bootstrap);
    const r = await client.calls(target, 20);
    assert.deepEqual(r.counts, { 'shoal-backend': 20 }, client.output);
    assert.equal(r.failures, 0);
    assert.ok(backend.peerSerials.size > 0, 'the calls came with a client certificate');
  });

  it('the same client with another service account is denied by an AuthorizationPolicy on source.principals', async () => {
    mesh.cp.store.apply(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: frontend-only, namespace: default }
spec:
  action: ALLOW
  rules:
  - from: [{ source: { principals: [cluster.local/ns/default/sa/frontend] } }]
`);
    const [intruder, frontend] = await Promise.all([mesh.agent('intruder'), mesh.agent('frontend')]);
    const other = mesh.peer('client', intruder.bootstrap);
    const allowed = mesh.peer('client', frontend.bootstrap);
    let denied = await other.calls(target, 10);
    for (let i = 0; i < 50 && denied.codes[grpc.status.PERMISSION_DENIED] !== 10; i++) {
      await new Promise((r) => setTimeout(r, 100));
      denied = await other.calls(target, 10);
    }
    assert.deepEqual(denied.codes, { [grpc.status.PERMISSION_DENIED]: 10 }, other.output);
    assert.deepEqual((await allowed.calls(target, 10)).counts, { 'shoal-backend': 10 });
    mesh.cp.store.delete('AuthorizationPolicy', 'default', 'frontend-only');
  });

  it('a plaintext grpc-js client to the same port is refused, saying why', async () => {
    const plain = grpcJsTestClient(`127.0.0.1:${backend.port}`);
    const err = await new Promise<grpc.ServiceError>((resolve) =>
      (plain.UnaryCall as Function).call(plain, {}, (e: grpc.ServiceError) => resolve(e)),
    );
    plain.close();
    assert.equal(err.code, grpc.status.UNAVAILABLE);
    assert.match(err.details, /plaintext connection refused: the inbound listener requires mutual TLS/);
  });

  it('openssl s_client sees the SPIFFE SAN and a chain to the mesh root', async () => {
    const agent = await mesh.agent('openssl-user');
    const stdout = await openssl(
      [
        's_client',
        '-connect',
        `127.0.0.1:${backend.port}`,
        '-showcerts',
        '-alpn',
        'h2',
        '-CAfile',
        join(mesh.dir, 'root-cert.pem'),
        '-cert',
        join(agent.certDir, 'cert-chain.pem'),
        '-key',
        join(agent.certDir, 'key.pem'),
      ],
      '',
    );
    assert.match(stdout, /Verify return code: 0 \(ok\)/);
    assert.match(stdout, /i:O ?= ?cluster\.local/);
    const leaf = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(stdout)![0];
    const text = await openssl(['x509', '-noout', '-ext', 'subjectAltName'], leaf);
    assert.match(text, /URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/backend/);
  });

  it('a Shoal client calls a grpc-js-xds XdsServer that uses XdsServerCredentials', async () => {
    const agent = await mesh.agent('legacy');
    const peerServer = mesh.peer('server', agent.bootstrap, await freePort());
    const port = await peerServer.port();
    // The grpc-js server does not register itself: config says where it is and who it runs as.
    mesh.cp.store.apply(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: legacy, namespace: default }
spec:
  hosts: [${host('legacy')}]
  ports: [{ number: ${port}, name: grpc, protocol: GRPC }]
  location: MESH_INTERNAL
  resolution: STATIC
  workloadSelector: { labels: { app: legacy } }
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: legacy-1, namespace: default }
spec: { address: 127.0.0.1, ports: { grpc: ${port} }, labels: { app: legacy }, serviceAccount: legacy }
`);
    const bootstrap = parseBootstrap({
      xds_servers: [{ server_uri: mesh.xds, channel_creds: [{ type: 'insecure' }] }],
      node: { id: 'shoal-client', metadata: { NAMESPACE: 'default' } },
      certificate_providers: {
        default: { plugin_name: 'shoal_ca', config: { token_file: mesh.tokenFile('frontend') } },
      },
    });
    const client = createMeshClient(TestService, `xds:///${host('legacy')}:${port}`, { bootstrap });
    try {
      let hostname = '';
      for (let i = 0; i < 100 && !hostname.startsWith('grpc-js-xds (mTLS'); i++) {
        hostname = await client.unaryCall({}).then(
          (r) => r.hostname,
          (e: unknown) => String(e),
        );
        if (!hostname.startsWith('grpc-js-xds (mTLS')) await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(
        hostname,
        /^grpc-js-xds \(mTLS from URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/frontend\)$/,
        peerServer.output,
      );
    } finally {
      meshTransportOf(client).close();
    }
    // Without xDS credentials (plaintext), the grpc-js server under STRICT takes no call.
    const plain = createMeshClient(TestService, `xds:///${host('legacy')}:${port}`, {
      bootstrap,
      xdsCredentials: false,
    });
    try {
      await assert.rejects(plain.unaryCall({}), (e: unknown) => RpcError.from(e).code === Code.UNAVAILABLE);
    } finally {
      meshTransportOf(plain).close();
    }
  });
});
