// One registry from the descriptors a source gave (server reflection, a compiled .proto, a
// protoset), however the server spelled them: protobufjs's map entry names repaired, names linked
// as protoc links them, the well-known types added when nobody sent them (grpc-js servers leave
// google/protobuf/*.proto out of reflection), and the files put in import order.

import { clone, create, createFileRegistry, type FileRegistry } from '@bufbuild/protobuf';
import {
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
} from '@bufbuild/protobuf/wkt';
import { CliError } from '../cli-error.js';
import { linkFile } from './link-descriptors.js';
import { renameCollidingMapEntries } from './map-entry-names.js';
import { SymbolScope } from './symbol-scope.js';

/** Each after the files it imports. */
const wellKnownFiles = [
  file_google_protobuf_any,
  file_google_protobuf_source_context,
  file_google_protobuf_type,
  file_google_protobuf_api,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
];

/**
 * Builds a registry from `files` (each used as given: they are changed in place). `origin` names
 * where they came from in errors, e.g. `127.0.0.1:50051` or `x.binpb`.
 */
export function registryFromFiles(files: FileDescriptorProto[], origin: string): FileRegistry {
  for (const file of files) renameCollidingMapEntries(file);
  const given = new SymbolScope(files);
  const byName = new Map(files.map((f) => [f.name, f]));
  // A bundled well-known file joins unless its name or one of its types is already there.
  for (const wkt of wellKnownFiles) {
    const declared = [...wkt.messages, ...wkt.enums].some((t) => given.get(t.typeName) !== undefined);
    if (!byName.has(wkt.proto.name) && !declared && wkt.proto.dependency.every((d) => byName.has(d))) {
      byName.set(wkt.proto.name, clone(FileDescriptorProtoSchema, wkt.proto));
    }
  }
  const all = [...byName.values()];
  for (const file of all) {
    const lost = file.dependency.find((name) => !byName.has(name));
    if (lost !== undefined)
      throw new CliError(`${file.name} imports ${lost}, which ${origin} did not provide`);
  }
  const scope = new SymbolScope(all);
  const errors: string[] = [];
  for (const file of all) linkFile(file, scope, errors);
  if (errors.length > 0) {
    const more = errors.length > 5 ? `; and ${errors.length - 5} more` : '';
    throw new CliError(`the descriptors from ${origin} do not link: ${errors.slice(0, 5).join('; ')}${more}`);
  }
  const ordered = importOrder(files, byName, origin);
  try {
    return createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
  } catch (err) {
    throw new CliError(`the descriptors from ${origin} are not valid: ${(err as Error).message}`);
  }
}

/** `roots` and everything they import, each file after its imports. */
function importOrder(
  roots: FileDescriptorProto[],
  byName: Map<string, FileDescriptorProto>,
  origin: string,
): FileDescriptorProto[] {
  const ordered: FileDescriptorProto[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: FileDescriptorProto, path: string[]) => {
    const seen = state.get(file.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...path.slice(path.indexOf(file.name)), file.name].join(' → ');
      throw new CliError(`the descriptors from ${origin} import each other in a circle: ${cycle}`);
    }
    state.set(file.name, 'visiting');
    for (const dependency of file.dependency) visit(byName.get(dependency)!, [...path, file.name]);
    state.set(file.name, 'done');
    ordered.push(file);
  };
  for (const file of roots) visit(file, []);
  return ordered;
}
