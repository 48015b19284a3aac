// Where the CLI learns a server's services and message types: server reflection
// (reflection-source.ts), or .proto files compiled with buf. Either way the result is a
// protobuf-es registry.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createFileRegistry, type DescService, type FileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { CliError, ExitCode } from '../cli-error.js';

export interface DescriptorSource {
  listServices(): Promise<string[]>;
  /** The registry holding `symbol` (a service, method or message) and everything it needs. */
  registryFor(symbol: string): Promise<FileRegistry>;
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
