// Istio's metadata exchange over HTTP headers (istio/proxy: the peer_metadata filter's
// istio_headers method). `x-envoy-peer-metadata-id` carries the node id; `x-envoy-peer-metadata`
// carries the workload as a google.protobuf.Struct, serialized deterministically (map keys in
// order) and base64-encoded: NAME, NAMESPACE, WORKLOAD_NAME, CLUSTER_ID and LABELS with app,
// version and the canonical service labels (metadata_object.cc; OWNER, which Envoy reads only for
// the workload type of baggage, is left out: the header goes with every call and every byte costs).
// A client sends both on every request; a server answers with its own only when the request
// carried them, as Envoy does.

import { fromBinary, fromJson, type JsonObject, toBinary, toJson } from '@bufbuild/protobuf';
import { StructSchema } from '@bufbuild/protobuf/wkt';
import type { WorkloadIdentity } from './workload-identity.js';

/** Istio's metadata exchange header: the peer's workload, in Envoy's encoding. */
export const PEER_METADATA_HEADER = 'x-envoy-peer-metadata';
/** Istio's metadata exchange id header: the peer's node id. */
export const PEER_METADATA_ID_HEADER = 'x-envoy-peer-metadata-id';

/** What a peer told about itself: the workload fields metadata exchange carries ('' when unknown). */
export type PeerWorkload = Pick<
  WorkloadIdentity,
  'name' | 'namespace' | 'workload' | 'app' | 'version' | 'canonicalService' | 'canonicalRevision' | 'cluster'
>;

/** A JSON object with every key, at every level, in sorted order (deterministic serialization). */
function sorted(value: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    out[key] = v && typeof v === 'object' && !Array.isArray(v) ? sorted(v as JsonObject) : (v ?? null);
  }
  return out;
}

/** The `x-envoy-peer-metadata` value that describes `w`. */
export function encodePeerMetadata(w: WorkloadIdentity): string {
  const struct: JsonObject = {
    NAME: w.name,
    NAMESPACE: w.namespace,
    WORKLOAD_NAME: w.workload,
    CLUSTER_ID: w.cluster,
    LABELS: { ...w.labels },
  };
  const bytes = toBinary(StructSchema, fromJson(StructSchema, sorted(struct)));
  return Buffer.from(bytes).toString('base64');
}

function field(o: JsonObject, key: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : '';
}

/**
 * Reads an `x-envoy-peer-metadata` value (base64, padded or not). Throws on bytes that are not a
 * google.protobuf.Struct.
 */
export function decodePeerMetadata(value: string): PeerWorkload {
  const struct = toJson(StructSchema, fromBinary(StructSchema, Buffer.from(value, 'base64'))) as JsonObject;
  const labels = (struct.LABELS && typeof struct.LABELS === 'object' ? struct.LABELS : {}) as JsonObject;
  return {
    name: field(struct, 'NAME'),
    namespace: field(struct, 'NAMESPACE'),
    workload: field(struct, 'WORKLOAD_NAME'),
    cluster: field(struct, 'CLUSTER_ID'),
    app: field(labels, 'app') || field(labels, 'app.kubernetes.io/name'),
    version: field(labels, 'version') || field(labels, 'app.kubernetes.io/version'),
    canonicalService: field(labels, 'service.istio.io/canonical-name'),
    canonicalRevision: field(labels, 'service.istio.io/canonical-revision'),
  };
}

const UNREADABLE: PeerWorkload = Object.freeze({
  name: '',
  namespace: '',
  workload: '',
  app: '',
  version: '',
  canonicalService: '',
  canonicalRevision: '',
  cluster: '',
});

/**
 * Decoded peers by header value: a peer sends the same value on every call, so each is decoded
 * once. Bounded like Envoy's per-thread cache (a quarter is dropped when full).
 */
export class PeerMetadataCache {
  private readonly peers = new Map<string, PeerWorkload>();
  /** The last value and its peer: most calls in a row are to the same workload. */
  private lastValue = '';
  private lastPeer: PeerWorkload = UNREADABLE;

  constructor(private readonly limit = 1000) {}

  /** The peer a header value names; an unreadable value is an unknown peer (as in Envoy). */
  get(value: string): PeerWorkload {
    if (value === this.lastValue) return this.lastPeer;
    let peer = this.peers.get(value);
    if (peer !== undefined) return this.remember(value, peer);
    try {
      peer = decodePeerMetadata(value);
    } catch {
      peer = UNREADABLE;
    }
    if (this.peers.size >= this.limit) {
      let drop = Math.ceil(this.limit / 4);
      for (const key of this.peers.keys()) {
        this.peers.delete(key);
        if (--drop === 0) break;
      }
    }
    this.peers.set(value, peer);
    return this.remember(value, peer);
  }

  private remember(value: string, peer: PeerWorkload): PeerWorkload {
    this.lastValue = value;
    this.lastPeer = peer;
    return peer;
  }
}
