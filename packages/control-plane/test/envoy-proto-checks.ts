// Internal, for tests only. @shoal/xds's Envoy-protos test support (packages/xds/test: Envoy's
// real protos as @grpc/grpc-js-xds ships them, the field-by-field comparison of a message with
// Envoy's decoding of its bytes, and the PGV validator), loaded from its compiled test build, so
// the control plane's output is checked with the same tools as the xds wire spec.

import type { DescMessage, Message } from '@bufbuild/protobuf';
import type protobuf from 'protobufjs';

export interface EnvoyProtoChecks {
  loadRealEnvoy(): protobuf.Root;
  TO_OBJECT: protobuf.IConversionOptions;
  diffAgainstReal(schema: DescMessage, ours: Message, theirs: Record<string, unknown>): string[];
  validateWithPgv(
    root: protobuf.Root,
    typeName: string,
    bytes: Uint8Array,
  ): { path: string; message: string }[];
}

export async function envoyProtoChecks(): Promise<EnvoyProtoChecks> {
  // From packages/control-plane/dist-test/test/ to packages/xds/dist-test/test/.
  const dir = new URL('../../../xds/dist-test/test/', import.meta.url);
  const [real, pgv] = await Promise.all([
    import(new URL('real-envoy.js', dir).href),
    import(new URL('pgv-validator.js', dir).href),
  ]);
  return { ...real, ...pgv } as EnvoyProtoChecks;
}
