// gRPC's proxyless client (@grpc/grpc-js-xds) under Dubbo's rules: what the control plane sends is
// plain xDS, so grpc-js-xds follows the tag router (a header match to a subset cluster), method
// conditions (a path regex), v3.1 weighted subsets (weighted clusters) and a kicked-out instance
// (endpoint health). It never sees a `:dubbo-argument-N` header, so it skips argument routes: its
// calls go where a call whose argument does not match would go. Providers are Shoal's.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { GetItemRequestSchema, InstanceSchema } from '../gen/org/apache/dubbo/samples/shop_pb.js';
import { ShopMesh, settle } from './shop-mesh.js';

const DETAIL = 'org.apache.dubbo.samples.DetailService';

describe("grpc-js-xds under Dubbo's rules", () => {
  let mesh: ShopMesh;
  let client: grpc.Client;

  const getItem =
    (username: string, headers: Record<string, string> = {}) =>
    () =>
      new Promise<{ server: string }>((resolve, reject) => {
        const md = new grpc.Metadata();
        for (const [k, v] of Object.entries(headers)) md.set(k, v);
        client.makeUnaryRequest(
          `/${DETAIL}/getItem`,
          (m: Uint8Array) => Buffer.from(m),
          (b: Buffer) => fromBinary(InstanceSchema, b),
          toBinary(GetItemRequestSchema, {
            $typeName: 'org.apache.dubbo.samples.GetItemRequest',
            sku: 1n,
            username,
          }),
          md,
          { deadline: Date.now() + 3000 },
          (err, res) => (err ? reject(Object.assign(err, { code: err.code })) : resolve(res!)),
        );
      });

  before(async () => {
    mesh = await ShopMesh.start();
    await mesh.provider('shop-detail', 'v1', ['DetailService'], { detailVersion: 'v1' });
    await mesh.provider('shop-detail', 'v2', ['DetailService'], { detailVersion: 'v2' });
    await mesh.provider('shop-detail', 'gray', ['DetailService'], { detailVersion: 'v2', env: 'gray' });
    const [, port] = mesh.xds.split(':');
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
      xds_servers: [
        {
          server_uri: `127.0.0.1:${port}`,
          channel_creds: [{ type: 'insecure' }],
          server_features: ['xds_v3'],
        },
      ],
      node: {
        id: 'grpc-js-xds-consumer',
        metadata: { NAMESPACE: 'default', LABELS: { app: 'shop-frontend' } },
        locality: {},
      },
    });
    xds.register();
    // Dubbo's interface-level discovery: grpc-js-xds dials the interface name.
    client = new grpc.Client(`xds:///${DETAIL}`, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    await mesh?.stop();
    // grpc-js-xds keeps retrying its (now gone) xDS server, and its xDS client cannot be closed:
    // once this file's suite is done and reported, its process ends.
    setTimeout(() => process.exit(), 1000).unref();
  });

  const only = (counts: Record<string, number>, ...ids: string[]) =>
    Object.keys(counts).every((k) => ids.includes(k)) && ids.every((id) => (counts[id] ?? 0) > 0);

  it('the tag router: dubbo.tag=gray to the gray instance, untagged calls never to it', async () => {
    await mesh.apply(
      'configVersion: v3.0\nforce: true\nenabled: true\nkey: shop-detail\ntags:\n  - name: gray\n    match:\n      - key: env\n        value:\n          exact: gray\n',
    );
    await settle(10, getItem('a', { 'dubbo.tag': 'gray' }), (n) => only(n, 'gray'), 'gray calls in gray');
    await settle(20, getItem('a'), (n) => only(n, 'v1', 'v2'), 'untagged calls outside gray');
  });

  it('a method condition and v3.1 weighted subsets', async () => {
    await mesh.apply(`configVersion: v3.1
scope: service
key: ${DETAIL}
force: false
conditions:
  - from: {match: method=getItem}
    to:
      - {match: detailVersion=v1, weight: 75}
      - {match: detailVersion=v2, weight: 25}
`);
    // The untagged v2 instance is "v2"; gray keeps its tag, so untagged calls never reach it.
    const counts = await settle(
      200,
      getItem('a'),
      (n) => only(n, 'v1', 'v2') && n.v1! > 100,
      'a 75/25 split',
    );
    assert.ok(counts.v1! >= 120 && counts.v1! <= 180, JSON.stringify(counts));
  });

  it('an argument condition is skipped: grpc-js-xds sees no :dubbo-argument-1', async () => {
    await mesh.apply(`configVersion: v3.0
scope: service
key: ${DETAIL}
force: true
conditions:
  - method=getItem & arguments[1]=dubbo => detailVersion=v1
`);
    // A Shoal client would go to v1 only; grpc-js-xds calls go where a non-matching argument goes.
    await settle(20, getItem('dubbo'), (n) => only(n, 'v1', 'v2'), 'the argument route skipped');
  });

  it("kicking out an instance (disabled: true) removes it from grpc-js-xds's picks", async () => {
    const v1 = mesh.providers.find((p) => p.id === 'v1')!;
    await mesh.apply(`configVersion: v2.7
scope: service
key: ${DETAIL}
enabled: true
configs:
  - addresses: ["${v1.address}"]
    side: provider
    parameters:
      disabled: true
`);
    await settle(20, getItem('a'), (n) => only(n, 'v2'), 'v1 kicked out');
  });
});
