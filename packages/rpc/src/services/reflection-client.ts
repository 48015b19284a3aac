// A client of gRPC server reflection (grpc.reflection.v1, then v1alpha for older servers; gRPC doc
// server-reflection.md): a server's service names, and a protobuf-es registry holding a symbol and
// every file it needs, so a method can be called with JSON and no generated code. Used by
// `shoal call`/`list`/`describe` and by the control plane's test call.

import { create, createFileRegistry, type FileRegistry, fromBinary } from '@bufbuild/protobuf';
import {
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from '@bufbuild/protobuf/wkt';
import { createClient } from '../client/create-client.js';
import type { Transport } from '../client/transport.js';
import { Code } from '../code.js';
import { ServerReflection } from '../gen/grpc/reflection/v1/reflection_pb.js';
import { ServerReflection as ServerReflectionV1Alpha } from '../gen/grpc/reflection/v1alpha/reflection_pb.js';
import { RpcError } from '../rpc-error.js';

type ReflectionAnswer = { messageResponse: { case: string | undefined; value: unknown } };

/** A ReflectionClient's deadline per call. */
export interface ReflectionClientOptions {
  /** Deadline of each reflection call (default 10 s). */
  timeoutMs?: number;
}

/**
 * A server reflection client: lists a server's services and loads their descriptors, to call a method with
 * JSON.
 */
export class ReflectionClient {
  private readonly transport: Transport;
  private readonly timeoutMs: number;
  /** Every file descriptor received so far, by file name. */
  private readonly files = new Map<string, FileDescriptorProto>();

  constructor(transport: Transport, options: ReflectionClientOptions = {}) {
    this.transport = transport;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The server's service names, sorted. UNIMPLEMENTED when it offers no reflection. */
  async listServices(): Promise<string[]> {
    const res = await this.ask({ case: 'listServices', value: '' });
    if (res.messageResponse.case !== 'listServicesResponse') throw answerError(res);
    return (res.messageResponse.value as { service: { name: string }[] }).service.map((s) => s.name).sort();
  }

  /** A registry holding `symbol` (a service, method or message) and everything it needs. NOT_FOUND if unknown. */
  async registryFor(symbol: string): Promise<FileRegistry> {
    const res = await this.ask({ case: 'fileContainingSymbol', value: symbol });
    if (res.messageResponse.case !== 'fileDescriptorResponse') {
      throw new RpcError(Code.NOT_FOUND, `the server knows no symbol "${symbol}"`);
    }
    this.keep(res);
    // Servers should answer the transitive imports too; ask for any one they left out.
    for (let missing = this.missing(); missing.length > 0; missing = this.missing()) {
      for (const name of missing) {
        const dep = await this.ask({ case: 'fileByFilename', value: name });
        if (dep.messageResponse.case !== 'fileDescriptorResponse') {
          throw new RpcError(Code.NOT_FOUND, `the server cannot answer "${name}", which "${symbol}" imports`);
        }
        this.keep(dep);
      }
    }
    return registryFromFiles([...this.files.values()]);
  }

  private async ask(messageRequest: { case: string; value: string }): Promise<ReflectionAnswer> {
    for (const service of [ServerReflection, ServerReflectionV1Alpha]) {
      const client = createClient(service, this.transport);
      try {
        // biome-ignore lint/suspicious/noExplicitAny: v1 and v1alpha share one wire shape.
        for await (const res of (client.serverReflectionInfo as any)(single({ messageRequest }), {
          timeoutMs: this.timeoutMs,
        })) {
          return res as ReflectionAnswer;
        }
      } catch (err) {
        if (err instanceof RpcError && err.code === Code.UNIMPLEMENTED) continue;
        throw err;
      }
    }
    throw new RpcError(Code.UNIMPLEMENTED, 'the server does not offer server reflection');
  }

  private keep(res: ReflectionAnswer): void {
    for (const bytes of (res.messageResponse.value as { fileDescriptorProto: Uint8Array[] })
      .fileDescriptorProto) {
      const proto = fromBinary(FileDescriptorProtoSchema, bytes);
      this.files.set(proto.name, proto);
    }
  }

  private missing(): string[] {
    const out = new Set<string>();
    for (const f of this.files.values()) for (const d of f.dependency) if (!this.files.has(d)) out.add(d);
    return [...out];
  }
}

function answerError(res: ReflectionAnswer): RpcError {
  const message =
    (res.messageResponse.value as { errorMessage?: string } | undefined)?.errorMessage ??
    String(res.messageResponse.case);
  return new RpcError(Code.UNKNOWN, `reflection failed: ${message}`);
}

/**
 * Reflection answers a file first and its imports after; a registry needs every import before the
 * file that uses it, so the files are put in dependency order first.
 */
function registryFromFiles(files: FileDescriptorProto[]): FileRegistry {
  const byName = new Map(files.map((f) => [f.name, f]));
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

async function* single<T>(item: T): AsyncGenerator<T> {
  yield item;
}
