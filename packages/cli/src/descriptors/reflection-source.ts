// Descriptors over gRPC server reflection (grpc/reflection/v1, then v1alpha for older servers), as
// grpcurl asks: file_containing_symbol for what the command names, then file_by_filename for each
// import the answer lacks. Servers differ in what they send and how (grpc-js with @grpc/reflection
// sends relative names and no well-known types); file-registry.ts makes one registry of it all.

import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import {
  Code,
  createClient,
  RpcError,
  ServerReflection,
  ServerReflectionV1Alpha,
  type Transport,
} from '@shoal/rpc';
import { CliError, ExitCode } from '../cli-error.js';
import type { DescriptorSource } from './descriptor-source.js';
import { registryFromFiles } from './file-registry.js';

interface ReflectionAnswer {
  messageResponse: { case: string; value: unknown };
}

export function reflectionSource(transport: Transport, where: string): DescriptorSource {
  const ask = async (messageRequest: Record<string, unknown>): Promise<ReflectionAnswer> => {
    for (const service of [ServerReflection, ServerReflectionV1Alpha]) {
      const client = createClient(service, transport);
      try {
        // biome-ignore lint/suspicious/noExplicitAny: v1 and v1alpha share one wire shape.
        for await (const res of (client.serverReflectionInfo as any)(single({ messageRequest }), {
          timeoutMs: 10_000,
        })) {
          return res as ReflectionAnswer;
        }
      } catch (err) {
        if (err instanceof RpcError && err.code === Code.UNIMPLEMENTED) continue;
        throw err;
      }
    }
    throw new CliError(
      `${where} does not offer server reflection`,
      ExitCode.failure,
      'pass --proto FILE (with --import-path DIR) or --protoset FILE to describe its API',
    );
  };
  /** Every file received so far, by name, as sent. */
  const files = new Map<string, Uint8Array>();
  /** Imports asked for by name; the server may not have them (the well-known types are filled in). */
  const asked = new Set<string>();
  const keep = (res: ReflectionAnswer): boolean => {
    if (res.messageResponse.case !== 'fileDescriptorResponse') return false;
    const value = res.messageResponse.value as { fileDescriptorProto: Uint8Array[] };
    for (const bytes of value.fileDescriptorProto) {
      files.set(fromBinary(FileDescriptorProtoSchema, bytes).name, bytes);
    }
    return true;
  };
  const decoded = () => [...files.values()].map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
  const missingImports = () => {
    const names = decoded().flatMap((file) => file.dependency);
    return [...new Set(names)].filter((name) => !files.has(name) && !asked.has(name));
  };

  return {
    async listServices() {
      const res = await ask({ case: 'listServices', value: '' });
      if (res.messageResponse.case !== 'listServicesResponse') {
        const value = res.messageResponse.value as { errorMessage?: string } | undefined;
        throw new CliError(
          `reflection on ${where} failed: ${value?.errorMessage ?? res.messageResponse.case}`,
        );
      }
      const { service } = res.messageResponse.value as { service: { name: string }[] };
      return service.map((s) => s.name).sort();
    },
    async registryFor(symbol) {
      if (!keep(await ask({ case: 'fileContainingSymbol', value: symbol }))) {
        throw new CliError(
          `${where} knows no symbol "${symbol}"`,
          ExitCode.failure,
          'run `shoal list ADDR` to see its services',
        );
      }
      // Each import is asked for at most once, so this ends.
      for (let missing = missingImports(); missing.length > 0; missing = missingImports()) {
        for (const name of missing) {
          asked.add(name);
          keep(await ask({ case: 'fileByFilename', value: name }));
        }
      }
      return registryFromFiles(decoded(), where);
    },
  };
}

async function* single<T>(item: T): AsyncGenerator<T> {
  yield item;
}
