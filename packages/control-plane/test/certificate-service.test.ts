// Istio's CA API on the xDS port, called by a peer nobody here wrote (grpc-js, with the message
// encoded from our generated schema) and by Shoal's own client: a token from the admin API
// gets a certificate for exactly its identity; anything else is refused with a clear status.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { GrpcTransport } from '@shoal/rpc';
import { IstioCertificateRequestSchema, IstioCertificateResponseSchema } from '@shoal/xds';
import { createCertificate, createWorkloadKey, sanEntries } from '@shoal/xds/plugins';
import { ControlPlane } from '../src/control-plane.js';

describe('IstioCertificateService/CreateCertificate on the xDS port', () => {
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0, trustDomain: 'shoal.test' });
  let xds = '';
  let admin = '';
  let peer: grpc.Client;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${admin}${path}`, {
      method,
      headers: { authorization: `Bearer ${cp.adminToken}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** grpc-js's call: resolves with the chain, rejects with its ServiceError. */
  const grpcJsCall = (csr: string, token?: string, validityDuration = 0n) =>
    new Promise<string[]>((resolve, reject) => {
      const metadata = new grpc.Metadata();
      if (token) metadata.set('authorization', `Bearer ${token}`);
      peer.makeUnaryRequest(
        '/istio.v1.auth.IstioCertificateService/CreateCertificate',
        (m: unknown) => Buffer.from(toBinary(IstioCertificateRequestSchema, m as never)),
        (b: Buffer) => fromBinary(IstioCertificateResponseSchema, b),
        create(IstioCertificateRequestSchema, {
          csr,
          validityDuration,
          metadata: { NODE_ID: 'grpc-js-peer' },
        }),
        metadata,
        (err, res) => (err ? reject(err) : resolve(res!.certChain)),
      );
    });

  before(async () => {
    const a = await cp.start();
    xds = `127.0.0.1:${a.xds.port}`;
    admin = `http://127.0.0.1:${a.admin.port}`;
    peer = new grpc.Client(xds, grpc.credentials.createInsecure());
  });
  after(async () => {
    peer.close();
    await cp.stop(0);
  });

  it('signs for the identity its token grants (grpc-js as the caller)', async () => {
    const made = await api('POST', '/api/tokens', {
      namespace: 'default',
      serviceAccount: 'greeter',
      ttl: '720h',
    });
    assert.equal(made.status, 200);
    const token = made.body.token as string;
    const chain = await grpcJsCall((await createWorkloadKey()).csr, token, 3600n);
    assert.equal(chain.length, 2);
    assert.equal(chain[1], cp.ca!.rootPem);
    const leaf = new X509Certificate(chain[0]!);
    assert.deepEqual(sanEntries(leaf.subjectAltName).uri, ['spiffe://shoal.test/ns/default/sa/greeter']);
    assert.ok(leaf.verify(new X509Certificate(chain[1]!).publicKey));
    const hours = (Date.parse(leaf.validTo) - Date.now()) / 3600_000;
    assert.ok(hours > 0.9 && hours <= 1, `${hours} h`);
    assert.equal(cp.issued.get('grpc-js-peer')?.certificate.serialNumber, leaf.serialNumber.toLowerCase());
  });

  it('refuses a call without a token, with a forged one, and a CSR for someone else', async () => {
    const csr = (await createWorkloadKey()).csr;
    await assert.rejects(grpcJsCall(csr), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.UNAUTHENTICATED);
      assert.match(err.details, /needs a token from `shoal token create`/);
      return true;
    });
    await assert.rejects(grpcJsCall(csr, 'shoal.000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), {
      code: grpc.status.UNAUTHENTICATED,
    });
    const made = await api('POST', '/api/tokens', { namespace: 'default', serviceAccount: 'reviews' });
    const stolen = (await createWorkloadKey('spiffe://shoal.test/ns/default/sa/greeter')).csr;
    await assert.rejects(grpcJsCall(stolen, made.body.token as string), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.PERMISSION_DENIED);
      assert.match(
        err.details,
        /but the caller proved only spiffe:\/\/shoal\.test\/ns\/default\/sa\/reviews/,
      );
      return true;
    });
  });

  it("works with Shoal's client, and stops working once the token is revoked", async () => {
    const made = await api('POST', '/api/tokens', { namespace: 'prod', serviceAccount: 'api' });
    const token = made.body.token as string;
    const transport = new GrpcTransport({ address: xds });
    try {
      const chain = await createCertificate(transport, { csr: (await createWorkloadKey()).csr, token });
      assert.deepEqual(sanEntries(new X509Certificate(chain[0]!).subjectAltName).uri, [
        'spiffe://shoal.test/ns/prod/sa/api',
      ]);
      const listed = await api('GET', '/api/tokens');
      assert.ok((listed.body.items as { id: string }[]).some((t) => t.id === made.body.id));
      assert.equal((await api('DELETE', `/api/tokens/${made.body.id}`)).status, 200);
      await assert.rejects(
        createCertificate(transport, { csr: (await createWorkloadKey()).csr, token }),
        /certificate request to the CA failed: token [0-9a-f]+ is unknown or revoked/,
      );
    } finally {
      transport.close();
    }
  });

  it('serves the root and refuses bad token requests on the admin API', async () => {
    const root = await api('GET', '/api/ca/root');
    assert.equal(root.body.root, cp.ca!.rootPem);
    assert.equal(root.body.trustDomain, 'shoal.test');
    assert.equal((await api('POST', '/api/tokens', { namespace: 'Bad!', serviceAccount: 'x' })).status, 400);
    assert.equal(
      (await api('POST', '/api/tokens', { namespace: 'ok', serviceAccount: 'x', ttl: 'soon' })).status,
      400,
    );
    assert.equal((await api('DELETE', '/api/tokens/ffffffffffff')).status, 404);
    const noToken = await fetch(`${admin}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'default', serviceAccount: 'greeter' }),
    });
    assert.equal(noToken.status, 401);
  });
});
