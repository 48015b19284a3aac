// gRPC server reflection (grpc.reflection.v1 and v1alpha, gRPC doc server-reflection.md): lists
// the services and answers file descriptors, with their transitive dependencies, by file name
// or by symbol. Both versions share one implementation; their messages are wire-identical.

import { type DescFile, type DescService, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { Code } from '../code.js';
import type { ServerReflectionRequest } from '../gen/grpc/reflection/v1/reflection_pb.js';
import { ServerReflection as ServerReflectionV1 } from '../gen/grpc/reflection/v1/reflection_pb.js';
import { ServerReflection as ServerReflectionV1Alpha } from '../gen/grpc/reflection/v1alpha/reflection_pb.js';
import type { ServiceImpl } from '../method-types.js';

/** Indexes the files behind a set of services; rebuilt when the set grows. */
class DescriptorIndex {
  private readonly files = new Map<string, DescFile>();
  private readonly bySymbol = new Map<string, DescFile>();
  private indexed = 0;

  constructor(private readonly services: () => readonly DescService[]) {}

  serviceNames(): string[] {
    return this.services().map((s) => s.typeName);
  }

  fileByName(name: string): DescFile | undefined {
    this.refresh();
    return this.files.get(name);
  }

  fileBySymbol(symbol: string): DescFile | undefined {
    this.refresh();
    return this.bySymbol.get(symbol.replace(/^\./, ''));
  }

  /** The file and everything it imports, each once, the file first. */
  closure(file: DescFile): Uint8Array[] {
    const seen = new Set<string>();
    const out: Uint8Array[] = [];
    const visit = (f: DescFile) => {
      if (seen.has(f.name)) return;
      seen.add(f.name);
      out.push(toBinary(FileDescriptorProtoSchema, f.proto));
      for (const dep of f.dependencies) visit(dep);
    };
    visit(file);
    return out;
  }

  private refresh(): void {
    const services = this.services();
    if (services.length === this.indexed) return;
    this.indexed = services.length;
    for (const service of services) this.addFile(service.file);
  }

  private addFile(file: DescFile): void {
    // DescFile.name drops the ".proto" suffix; reflection speaks in real file names.
    const fileName = file.proto.name;
    if (this.files.has(fileName)) return;
    this.files.set(fileName, file);
    for (const dep of file.dependencies) this.addFile(dep);
    for (const service of file.services) {
      this.bySymbol.set(service.typeName, file);
      for (const method of service.methods) this.bySymbol.set(`${service.typeName}.${method.name}`, file);
    }
    const addMessages = (messages: DescFile['messages']) => {
      for (const message of messages) {
        this.bySymbol.set(message.typeName, file);
        for (const e of message.nestedEnums) this.bySymbol.set(e.typeName, file);
        addMessages(message.nestedMessages);
      }
    };
    addMessages(file.messages);
    for (const e of file.enums) this.bySymbol.set(e.typeName, file);
  }
}

type Answer = Record<string, unknown>;

function answer(index: DescriptorIndex, request: ServerReflectionRequest): Answer {
  const { messageRequest: q } = request;
  const notFound = (what: string): Answer => ({
    messageResponse: {
      case: 'errorResponse',
      value: { errorCode: Code.NOT_FOUND, errorMessage: `${what} not found` },
    },
  });
  const files = (file: DescFile | undefined, what: string): Answer =>
    file
      ? {
          messageResponse: {
            case: 'fileDescriptorResponse',
            value: { fileDescriptorProto: index.closure(file) },
          },
        }
      : notFound(what);
  switch (q.case) {
    case 'listServices':
      return {
        messageResponse: {
          case: 'listServicesResponse',
          value: { service: index.serviceNames().map((name) => ({ name })) },
        },
      };
    case 'fileByFilename':
      return files(index.fileByName(q.value), `file "${q.value}"`);
    case 'fileContainingSymbol':
      return files(index.fileBySymbol(q.value), `symbol "${q.value}"`);
    case 'fileContainingExtension':
      return notFound(`extension ${q.value.containingType}#${q.value.extensionNumber}`);
    case 'allExtensionNumbersOfType':
      return index.fileBySymbol(q.value)
        ? {
            messageResponse: {
              case: 'allExtensionNumbersResponse',
              value: { baseTypeName: q.value, extensionNumber: [] },
            },
          }
        : notFound(`type "${q.value}"`);
    default:
      return {
        messageResponse: {
          case: 'errorResponse',
          value: { errorCode: Code.INVALID_ARGUMENT, errorMessage: 'empty reflection request' },
        },
      };
  }
}

function reflectionImpl(index: DescriptorIndex) {
  return {
    async *serverReflectionInfo(requests: AsyncIterable<ServerReflectionRequest>) {
      for await (const request of requests) {
        yield { validHost: request.host, originalRequest: request, ...answer(index, request) };
      }
    },
  };
}

/** The v1 and v1alpha implementations over the services a server has (read at each request). */
export function reflectionServices(services: () => readonly DescService[]): {
  v1: ServiceImpl<typeof ServerReflectionV1>;
  v1alpha: ServiceImpl<typeof ServerReflectionV1Alpha>;
} {
  const index = new DescriptorIndex(services);
  return {
    v1: reflectionImpl(index) as unknown as ServiceImpl<typeof ServerReflectionV1>,
    v1alpha: reflectionImpl(index) as unknown as ServiceImpl<typeof ServerReflectionV1Alpha>,
  };
}

export { ServerReflectionV1, ServerReflectionV1Alpha };
