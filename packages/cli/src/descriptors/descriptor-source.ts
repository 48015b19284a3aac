// Where the CLI learns a server's services and message types: server reflection
// (reflection-source.ts), .proto files compiled with buf (proto-compile.ts), or protosets
// (protoset.ts). Whichever it is, the result is a protobuf-es registry (file-registry.ts).

import type { DescService, FileRegistry } from '@bufbuild/protobuf';
import { CliError, ExitCode } from '../cli-error.js';
import { registryFromFiles } from './file-registry.js';
import { compileProtoFiles } from './proto-compile.js';
import { readProtosets } from './protoset.js';

export interface DescriptorSource {
  listServices(): Promise<string[]>;
  /** The registry holding `symbol` (a service, method or message) and everything it needs. */
  registryFor(symbol: string): Promise<FileRegistry>;
}

export interface FileSourceOptions {
  /** .proto files, by name in the import paths. */
  readonly proto: string[];
  readonly importPath: string[];
  /** Serialized FileDescriptorSets; not together with `proto`, as in grpcurl. */
  readonly protoset: string[];
}

/** Descriptors from --proto or --protoset, read once; undefined when neither was given. */
export function fileSource(options: FileSourceOptions): DescriptorSource | undefined {
  const { proto, importPath, protoset } = options;
  if (proto.length > 0 && protoset.length > 0) {
    throw new CliError('--proto and --protoset cannot be used together', ExitCode.usage);
  }
  if (importPath.length > 0 && proto.length === 0) {
    throw new CliError('--import-path goes with --proto FILE', ExitCode.usage);
  }
  let registry: FileRegistry;
  if (proto.length > 0) {
    registry = registryFromFiles(compileProtoFiles(proto, importPath), `--proto ${proto.join(', ')}`);
  } else if (protoset.length > 0) {
    registry = registryFromFiles(readProtosets(protoset), `--protoset ${protoset.join(', ')}`);
  } else {
    return undefined;
  }
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
