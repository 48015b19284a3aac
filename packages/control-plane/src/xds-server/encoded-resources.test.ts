import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { encodingOf } from '@shoal/rpc/plugins';
import { CLUSTER_TYPE_URL, envoy } from '@shoal/xds';
import { bookinfoInput, clientNode } from '../../test/bookinfo-fixture.js';
import { Snapshot } from '../snapshot/snapshot.js';
import { Translator } from '../translate/translator.js';
import { controlPlane, deltaResourceField, encodedSotwResponse } from './encoded-resources.js';

const clusters = () =>
  new Snapshot(
    new Translator(bookinfoInput(['samples-bookinfo-networking-destination-rule-all.yaml'])),
  ).resources(CLUSTER_TYPE_URL, { wildcard: true, names: new Set() }, clientNode()).resources;

describe('responses encoded once for every stream', () => {
  it('a SotW response decodes to the message encoded field by field, with each stream its own nonce', () => {
    const resources = clusters();
    assert.ok(resources.size > 3);
    for (const nonce of ['1', '42']) {
      const res = encodedSotwResponse(CLUSTER_TYPE_URL, 'v7-abc', nonce, resources);
      const bytes = encodingOf(res);
      assert.ok(bytes, 'the response carries its encoding');
      const expected = create(envoy.DiscoveryResponseSchema, {
        versionInfo: 'v7-abc',
        typeUrl: CLUSTER_TYPE_URL,
        nonce,
        resources: [...resources.values()].map((r) =>
          create(AnySchema, { typeUrl: r.typeUrl, value: r.bytes }),
        ),
        controlPlane,
      });
      const decoded = fromBinary(envoy.DiscoveryResponseSchema, bytes);
      assert.ok(equals(envoy.DiscoveryResponseSchema, decoded, expected));
      assert.equal(bytes.byteLength, toBinary(envoy.DiscoveryResponseSchema, expected).byteLength);
    }
  });

  it('a delta Resource is encoded once and decodes to name, version and Any', () => {
    const [r] = clusters().values();
    assert.ok(r);
    const field = deltaResourceField(r);
    assert.equal(deltaResourceField(r), field, 'the second response reuses the first encoding');
    const res = create(envoy.DeltaDiscoveryResponseSchema, { typeUrl: CLUSTER_TYPE_URL, nonce: '3' });
    res.$unknown = [field];
    const decoded = fromBinary(
      envoy.DeltaDiscoveryResponseSchema,
      toBinary(envoy.DeltaDiscoveryResponseSchema, res),
    );
    assert.equal(decoded.resources.length, 1);
    assert.equal(decoded.resources[0]!.name, r.name);
    assert.equal(decoded.resources[0]!.version, r.version);
    assert.deepEqual(decoded.resources[0]!.resource?.value, r.bytes);
  });
});
