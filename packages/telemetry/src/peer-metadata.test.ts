// Metadata exchange values in Envoy's encoding, checked against protobufjs's own
// google.protobuf.Struct (an implementation we did not write): what we send decodes there to
// Istio's keys, is byte-for-byte what a deterministic serializer (map keys sorted, as Envoy's
// serializeToStringDeterministic) produces, and what it encodes we read.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { decodePeerMetadata, encodePeerMetadata, PeerMetadataCache } from './peer-metadata.js';
import { workloadFromNode } from './workload-identity.js';

const Struct = protobuf.Root.fromJSON(protobuf.common.get('google/protobuf/struct.proto')!).lookupType(
  'google.protobuf.Struct',
);

/** A Struct as protobufjs encodes it from plain JSON, keys inserted sorted. */
function encodeWithProtobufjs(json: Record<string, unknown>): string {
  const value = (v: unknown): unknown =>
    typeof v === 'string' ? { stringValue: v } : { structValue: struct(v as Record<string, unknown>) };
  const struct = (o: Record<string, unknown>) => ({
    fields: Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, value(o[k])]),
    ),
  });
  return Buffer.from(Struct.encode(Struct.fromObject(struct(json))).finish()).toString('base64');
}

describe('x-envoy-peer-metadata', () => {
  const workload = workloadFromNode({
    id: 'sidecar~10.0.0.7~reviews-v2-5d9c.bookinfo~bookinfo.svc.cluster.local',
    metadata: {
      NAMESPACE: 'bookinfo',
      CLUSTER_ID: 'Kubernetes',
      LABELS: { app: 'reviews', version: 'v2', 'pod-template-hash': '5d9c' },
    },
  });

  it('fills the workload with Istio fallbacks from the node', () => {
    assert.equal(workload.name, 'reviews-v2-5d9c');
    assert.equal(workload.namespace, 'bookinfo');
    assert.equal(workload.workload, 'reviews-v2');
    assert.equal(workload.canonicalService, 'reviews');
    assert.equal(workload.canonicalRevision, 'v2');
  });

  it('encodes a Struct that protobufjs reads with Istio keys, byte-identical to a sorted encoding', () => {
    const value = encodePeerMetadata(workload);
    const decoded = Struct.toObject(Struct.decode(Buffer.from(value, 'base64')), { defaults: false }) as {
      fields: Record<
        string,
        { stringValue?: string; structValue?: { fields: Record<string, { stringValue: string }> } }
      >;
    };
    assert.equal(decoded.fields.NAME?.stringValue, 'reviews-v2-5d9c');
    assert.equal(decoded.fields.NAMESPACE?.stringValue, 'bookinfo');
    assert.equal(decoded.fields.WORKLOAD_NAME?.stringValue, 'reviews-v2');
    assert.equal(decoded.fields.CLUSTER_ID?.stringValue, 'Kubernetes');
    assert.equal(decoded.fields.OWNER, undefined, 'OWNER is left out');
    const labels = decoded.fields.LABELS?.structValue?.fields ?? {};
    assert.equal(labels.app?.stringValue, 'reviews');
    assert.equal(labels.version?.stringValue, 'v2');
    assert.equal(labels['service.istio.io/canonical-name']?.stringValue, 'reviews');
    assert.equal(labels['service.istio.io/canonical-revision']?.stringValue, 'v2');
    const expected = encodeWithProtobufjs({
      NAME: 'reviews-v2-5d9c',
      NAMESPACE: 'bookinfo',
      WORKLOAD_NAME: 'reviews-v2',
      CLUSTER_ID: 'Kubernetes',
      LABELS: {
        app: 'reviews',
        version: 'v2',
        'pod-template-hash': '5d9c',
        'service.istio.io/canonical-name': 'reviews',
        'service.istio.io/canonical-revision': 'v2',
      },
    });
    assert.equal(value, expected);
  });

  it('reads what protobufjs encodes, padded base64 or not', () => {
    const value = encodeWithProtobufjs({
      NAME: 'productpage-v1-6b746f74dc-9stvs',
      NAMESPACE: 'default',
      WORKLOAD_NAME: 'productpage-v1',
      CLUSTER_ID: 'east',
      LABELS: {
        app: 'productpage',
        version: 'v1',
        'service.istio.io/canonical-name': 'productpage',
        'service.istio.io/canonical-revision': 'v1',
      },
    });
    const peer = decodePeerMetadata(value.replace(/=+$/, ''));
    assert.deepEqual(peer, {
      name: 'productpage-v1-6b746f74dc-9stvs',
      namespace: 'default',
      workload: 'productpage-v1',
      cluster: 'east',
      app: 'productpage',
      version: 'v1',
      canonicalService: 'productpage',
      canonicalRevision: 'v1',
    });
  });

  it('treats an unreadable value as an unknown peer, and caches each value once', () => {
    const cache = new PeerMetadataCache(4);
    const unknown = cache.get('!!not base64 protobuf!!');
    assert.equal(unknown.workload, '');
    const value = encodePeerMetadata(workload);
    assert.equal(cache.get(value), cache.get(value));
    for (let i = 0; i < 10; i++) cache.get(encodePeerMetadata({ ...workload, name: `pod-${i}` }));
    assert.equal(cache.get(value).workload, 'reviews-v2');
  });
});
