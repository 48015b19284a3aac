// `--protoset FILE`: a serialized google.protobuf.FileDescriptorSet, as grpcurl's -protoset reads
// (`protoc --include_imports --descriptor_set_out=FILE`, `buf build -o FILE.binpb`; a buf image is
// a FileDescriptorSet on the wire too). Several sets are merged by file name, the first one winning.

import { readFileSync } from 'node:fs';
import { fromBinary } from '@bufbuild/protobuf';
import { type FileDescriptorProto, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { CliError } from '../cli-error.js';

export function readProtosets(paths: string[]): FileDescriptorProto[] {
  const files = new Map<string, FileDescriptorProto>();
  for (const path of paths) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new CliError(`cannot read --protoset ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    let set: ReturnType<typeof fromBinary<typeof FileDescriptorSetSchema>>;
    try {
      set = fromBinary(FileDescriptorSetSchema, bytes);
    } catch (err) {
      throw new CliError(
        `--protoset ${path} is not a serialized FileDescriptorSet: ${(err as Error).message}`,
      );
    }
    if (set.file.length === 0 || set.file.some((f) => f.name === '')) {
      throw new CliError(
        `--protoset ${path} is not a serialized FileDescriptorSet: it holds ${set.file.length === 0 ? 'no files' : 'a file without a name'}`,
      );
    }
    for (const file of set.file) if (!files.has(file.name)) files.set(file.name, file);
  }
  return [...files.values()];
}
