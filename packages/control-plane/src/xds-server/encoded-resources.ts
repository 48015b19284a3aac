// Responses encoded once and shared by every stream. A push of one snapshot to thousands of
// streams sends the same resources to most of them. SotW: the whole response but its nonce is
// encoded once per set of resources and version, and each stream's response is those bytes plus
// its nonce (protobuf fields may come in any order), sent as they are (@shoal/rpc withEncoding).
// Delta, whose responses differ per stream: each resource's Resource message is encoded once and
// rides in the response's unknown fields, which protobuf-es writes unchanged after the known ones
// (on the wire a repeated field is the same wherever its elements sit).
// Envoy: service.discovery.v3.DiscoveryResponse (version_info 1, resources 2, type_url 4, nonce 5,
// control_plane 6), DeltaDiscoveryResponse.resources (2).

import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { withEncoding } from '@shoal/rpc/plugins';
import { envoy } from '@shoal/xds';
import type { BuiltResource } from '../translate/built-resource.js';

/** One element of a repeated message field, encoded (length prefix included), as protobuf-es keeps unknown fields. */
export interface EncodedField {
  readonly no: number;
  readonly wireType: WireType;
  readonly data: Uint8Array;
}

/** Field number of `resources` in DiscoveryResponse and in DeltaDiscoveryResponse. */
const RESOURCES_FIELD = 2;

const sotwFields = new WeakMap<BuiltResource, Uint8Array>();
/** Per set of resources sent: the response without its nonce, for the last version it was sent with. */
const sotwBodies = new WeakMap<
  ReadonlyMap<string, BuiltResource>,
  { version: string; typeUrl: string; bytes: Uint8Array }
>();
/** Every response's control_plane. */
export const controlPlane = { identifier: 'shoal' } as const;
const CONTROL_PLANE = toBinary(envoy.ControlPlaneSchema, create(envoy.ControlPlaneSchema, controlPlane));
const deltaFields = new WeakMap<BuiltResource, EncodedField>();

/**
 * A SotW response of `resources`, sent as bytes encoded once per set and version; the message
 * itself carries every field but the resources (for logs; the JSON codec must not get it).
 */
export function encodedSotwResponse(
  typeUrl: string,
  version: string,
  nonce: string,
  resources: ReadonlyMap<string, BuiltResource>,
): envoy.DiscoveryResponse {
  let body = sotwBodies.get(resources);
  if (!body || body.version !== version || body.typeUrl !== typeUrl) {
    const w = new BinaryWriter().tag(1, WireType.LengthDelimited).string(version);
    for (const r of resources.values())
      w.tag(RESOURCES_FIELD, WireType.LengthDelimited).raw(sotwResourceField(r));
    w.tag(4, WireType.LengthDelimited).string(typeUrl);
    w.tag(6, WireType.LengthDelimited).bytes(CONTROL_PLANE);
    body = { version, typeUrl, bytes: w.finish() };
    sotwBodies.set(resources, body);
  }
  const bytes = new BinaryWriter().raw(body.bytes).tag(5, WireType.LengthDelimited).string(nonce).finish();
  const res = create(envoy.DiscoveryResponseSchema, { versionInfo: version, typeUrl, nonce, controlPlane });
  return withEncoding(res, bytes);
}

/** `r`'s Any, length-prefixed, as an element of DiscoveryResponse.resources. */
function sotwResourceField(r: BuiltResource): Uint8Array {
  let f = sotwFields.get(r);
  if (!f) {
    f = new BinaryWriter()
      .bytes(toBinary(AnySchema, create(AnySchema, { typeUrl: r.typeUrl, value: r.bytes })))
      .finish();
    sotwFields.set(r, f);
  }
  return f;
}

/** `r` as an element of DeltaDiscoveryResponse.resources: a Resource with its name, version and Any. */
export function deltaResourceField(r: BuiltResource): EncodedField {
  let f = deltaFields.get(r);
  if (!f) {
    const resource = create(envoy.ResourceSchema, {
      name: r.name,
      version: r.version,
      resource: create(AnySchema, { typeUrl: r.typeUrl, value: r.bytes }),
    });
    const data = new BinaryWriter().bytes(toBinary(envoy.ResourceSchema, resource)).finish();
    f = { no: RESOURCES_FIELD, wireType: WireType.LengthDelimited, data };
    deltaFields.set(r, f);
  }
  return f;
}
