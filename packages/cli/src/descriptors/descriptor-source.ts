// Where the CLI learns a server's services and message types: server reflection, or .proto
// files compiled with buf. Either way the result is a protobuf-es registry.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  create,
  createFileRegistry,
  type DescService,
  type FileRegistry,
  fromBinary,
} from '@bufbuild/protobuf';
import {
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from '@bufbuild/protobuf/wkt';
import {
  Code,
  createClient,
  RpcError,
  ServerReflection,
  ServerReflectionV1Alpha,
  type Transport,
} from '@shoal/rpc';
import { CliError, ExitCode } from '../cli-error.js';

export interface DescriptorSource {
  listServices(): Promise<string[]>;
  /** The registry holding `symbol` (a service, method or message) and everything it needs. */
  registryFor(symbol: string): Promise<FileRegistry>;
}

/** Asks the server over gRPC reflection, v1 first, then v1alpha for older servers. */
export function reflectionSource(transport: Transport, where: string): DescriptorSource {
  const ask = async (messageRequest: Record<string, unknown>) => {
    for (const service of [ServerReflection, ServerReflectionV1Alpha]) {
      const client = createClient(service, transport);
      try {
        // biome-ignore lint/suspicious/noExplicitAny: v1 and v1alpha share one wire shape.
        for await (const res of (client.serverReflectionInfo as any)(single({ messageRequest }), {
          timeoutMs: 10_000,
        })) {
          return res as { messageResponse: { case: string; value: unknown } };
        }
      } catch (err) {
        if (err instanceof RpcError && err.code === Code.UNIMPLEMENTED) continue;
        throw err;
      }
    }
    throw new CliError(
      `${where} does not offer server reflection`,
      ExitCode.failure,
      'pass --proto FILE (and --import-path DIR) to describe its API',
    );
  };
  const files = new Map<string, Uint8Array>();
  return {
    async listServices() {
      const res = await ask({ case: 'listServices', value: '' });
      if (res.messageResponse.case !== 'listServicesResponse') throw reflectionError(where, res);
      return (res.messageResponse.value as { service: { name: string }[] }).service.map((s) => s.name).sort();
    },
    async registryFor(symbol) {
      const res = await ask({ case: 'fileContainingSymbol', value: symbol });
      if (res.messageResponse.case !== 'fileDescriptorResponse') {
        throw new CliError(
          `${where} knows no symbol "${symbol}"`,
          ExitCode.failure,
          'run `shoal list ADDR` to see its services',
        );
      }
      for (const bytes of (res.messageResponse.value as { fileDescriptorProto: Uint8Array[] })
        .fileDescriptorProto) {
        const proto = fromBinary(FileDescriptorProtoSchema, bytes);
        files.set(proto.name, bytes);
      }
      return registryFromFiles([...files.values()]);
    },
  };
}

function reflectionError(
  where: string,
  res: { messageResponse: { case: string; value: unknown } },
): CliError {
  const message =
    (res.messageResponse.value as { errorMessage?: string })?.errorMessage ?? res.messageResponse.case;
  return new CliError(`reflection on ${where} failed: ${message}`);
}

/** Compiles .proto files with buf (shipped in the @bufbuild/buf package) into a registry. */
export function protoFileSource(protoFiles: string[], importPaths: string[]): DescriptorSource {
  const registry = compileProtos(protoFiles, importPaths);
  return {
    async listServices() {
      const names: string[] = [];
      for (const type of registry) if (type.kind === 'service') names.push(type.typeName);
      return names.sort();
    },
    async registryFor() {
      return registry;
    },
  };
}

function compileProtos(protoFiles: string[], importPaths: string[]): FileRegistry {
  const require = createRequire(import.meta.url);
  const buf = join(require.resolve('@bufbuild/buf/package.json'), '..', 'bin', 'buf');
  const root = resolve(importPaths[0] ?? '.');
  const out = mkdtempSync(join(tmpdir(), 'shoal-proto-'));
  try {
    const image = join(out, 'image.binpb');
    const args = ['build', root, '--as-file-descriptor-set', '-o', image];
    // buf reads --path relative to the working directory, and it must lie inside the import path.
    for (const file of protoFiles) args.push('--path', relative(process.cwd(), resolve(file)));
    const result = spawnSync(buf, args, { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new CliError(
        `cannot compile ${protoFiles.join(', ')}: ${(result.stderr || result.error?.message || '').trim()}`,
      );
    }
    const set = fromBinary(FileDescriptorSetSchema, readFileSync(image));
    return createFileRegistry(set);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * Reflection answers a file first and its imports after; a registry needs every import before the
 * file that uses it, so the files are put in dependency order first.
 */
function registryFromFiles(files: Uint8Array[]): FileRegistry {
  const byName = new Map(files.map((b) => fromBinary(FileDescriptorProtoSchema, b)).map((f) => [f.name, f]));
  const ordered: FileDescriptorProto[] = [];
  const visited = new Set<string>();
  const visit = (name: string) => {
    const file = byName.get(name);
    if (!file || visited.has(name)) return;
    visited.add(name);
    for (const dependency of file.dependency) visit(dependency);
    ordered.push(file);
  };
  for (const name of byName.keys()) visit(name);
  return createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
}

/** Finds `pkg.Service/Method` (or `pkg.Service.Method`) in a registry. */
export function findMethod(registry: FileRegistry, name: string) {
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  const split = slash >= 0 ? slash : dot;
  if (split <= 0)
    throw new CliError(
      `"${name}" is not SERVICE/METHOD`,
      ExitCode.usage,
      'e.g. greet.v1.GreeterService/Greet',
    );
  const serviceName = name.slice(0, split);
  const methodName = name.slice(split + 1);
  const service = registry.getService(serviceName) as DescService | undefined;
  if (!service)
    throw new CliError(
      `unknown service "${serviceName}"`,
      ExitCode.failure,
      'run `shoal list ADDR` to see the services',
    );
  const method = service.methods.find((m) => m.name === methodName || m.localName === methodName);
  if (!method) {
    throw new CliError(
      `${serviceName} has no method "${methodName}"`,
      ExitCode.failure,
      `its methods: ${service.methods.map((m) => m.name).join(', ')}`,
    );
  }
  return { service, method };
}

async function* single<T>(item: T): AsyncGenerator<T> {
  yield item;
}
