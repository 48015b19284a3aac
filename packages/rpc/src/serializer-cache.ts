// One pair of codecs per method and codec, built on first use. Both sides share it: a request
// that cannot be parsed is INVALID_ARGUMENT (server side), a response, INTERNAL (client side).

import type { DescMethod, Registry } from '@bufbuild/protobuf';
import { Code } from './code.js';
import { BinaryCodecs } from './codec/binary-codec.js';
import { type Codec, createSerialization, type Serialization } from './serialization.js';

export interface MethodSerializers {
  request: Serialization<unknown>;
  response: Serialization<unknown>;
}

export type SerializerLookup = (method: DescMethod, codec: Codec) => MethodSerializers;

export function serializerCache(registry?: Registry): SerializerLookup {
  const cache = new Map<DescMethod, Partial<Record<Codec, MethodSerializers>>>();
  const binary = new BinaryCodecs();
  return (method, codec) => {
    let byCodec = cache.get(method);
    if (!byCodec) cache.set(method, (byCodec = {}));
    let pair = byCodec[codec];
    if (!pair) {
      pair = {
        request: createSerialization(
          method.input,
          codec,
          Code.INVALID_ARGUMENT,
          binary,
          registry,
        ) as Serialization<unknown>,
        response: createSerialization(
          method.output,
          codec,
          Code.INTERNAL,
          binary,
          registry,
        ) as Serialization<unknown>,
      };
      byCodec[codec] = pair;
    }
    return pair;
  };
}
