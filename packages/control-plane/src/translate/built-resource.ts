// One translated resource, encoded once and fingerprinted: the cache compares fingerprints to
// push only what changed, and sends the bytes as they are.

import { createHash } from 'node:crypto';
import { type DescMessage, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { typeUrlOf } from '@shoal/xds/plugins';

export interface BuiltResource {
  name: string;
  typeUrl: string;
  schema: DescMessage;
  message: unknown;
  /** The serialized message (the value of its Any). */
  bytes: Uint8Array;
  /** Content fingerprint: equal versions mean equal bytes. */
  version: string;
}

export function buildResource<D extends DescMessage>(
  schema: D,
  name: string,
  message: MessageShape<D>,
): BuiltResource {
  const bytes = toBinary(schema, message);
  return { name, typeUrl: typeUrlOf(schema), schema, message, bytes, version: fingerprint(bytes) };
}

export function fingerprint(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 16);
}

/** The version of a set of resources: a fingerprint of their names and versions. */
export function setVersion(resources: Iterable<BuiltResource>): string {
  const parts = [...resources].map((r) => `${r.name}\u0000${r.version}`).sort();
  return fingerprint(parts.join('\u0001'));
}
