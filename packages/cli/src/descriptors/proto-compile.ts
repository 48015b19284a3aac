// `--proto FILE` with `--import-path DIR`, read as protoc and grpcurl read them. FILE is a name
// relative to an import path, and the import paths are searched in the order given (`.` when none
// is given). A FILE given as a path on disk inside an import path is taken by its name there
// (protoc's rule), unless an earlier import path holds another file of that name. Imports are found
// the same way. buf compiles the result: the files found are laid out by name in a temporary
// module, so buf sees the same tree protoc would, and its errors are told with the paths on disk.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { type FileDescriptorProto, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { bufBinary } from '../buf-binary.js';
import { CliError, ExitCode } from '../cli-error.js';
import { importsOf } from './proto-imports.js';

const isFile = (path: string) => statSync(path, { throwIfNoEntry: false })?.isFile() === true;
const isDirectory = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;

/** A path as the user would write it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export function compileProtoFiles(protoFiles: string[], importPaths: string[]): FileDescriptorProto[] {
  const roots = (importPaths.length > 0 ? importPaths : ['.']).map((given) => {
    if (!isDirectory(given)) throw new CliError(`--import-path ${given}: no such folder`, ExitCode.usage);
    return resolve(given);
  });
  const searched = `--import-path ${roots.map(shown).join(', ')}`;
  /** The first import path holding `name`. */
  const find = (name: string) => roots.map((root) => join(root, name)).find(isFile);

  const nameOf = (file: string): string => {
    const name = file
      .split(sep)
      .join('/')
      .replace(/^(\.\/)+/, '');
    if (!isAbsolute(file) && find(name)) return name;
    const onDisk = resolve(file);
    if (!isFile(onDisk)) {
      throw new CliError(
        `--proto ${file}: not found in ${searched}`,
        ExitCode.usage,
        'FILE is relative to an --import-path, as in protoc',
      );
    }
    for (const root of roots) {
      const rel = relative(root, onDisk);
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      const inPath = rel.split(sep).join('/');
      const first = find(inPath);
      if (first !== onDisk) {
        throw new CliError(
          `--proto ${file} is shadowed by ${shown(first!)}, which the import paths find first for ${inPath}`,
          ExitCode.usage,
          'reorder --import-path, or pass that file',
        );
      }
      return inPath;
    }
    throw new CliError(
      `--proto ${file} is not inside ${searched}`,
      ExitCode.usage,
      'add --import-path DIR for the folder its imports are relative to',
    );
  };

  /** Every file needed, by its name in the import paths, with its path on disk. */
  const files = new Map<string, string>();
  const queue = protoFiles.map(nameOf);
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (files.has(name)) continue;
    const path = find(name)!;
    files.set(name, path);
    for (const imported of importsOf(readFileSync(path, 'utf8'))) {
      if (files.has(imported)) continue;
      if (find(imported)) queue.push(imported);
      // buf has the well-known types built in.
      else if (!imported.startsWith('google/protobuf/')) {
        throw new CliError(`${shown(path)} imports "${imported}", which is not found in ${searched}`);
      }
    }
  }
  return build(files, protoFiles);
}

function build(files: Map<string, string>, asked: string[]): FileDescriptorProto[] {
  const work = mkdtempSync(join(tmpdir(), 'shoal-proto-'));
  try {
    const module = join(work, 'module');
    for (const [name, path] of files) {
      mkdirSync(dirname(join(module, name)), { recursive: true });
      copyFileSync(path, join(module, name));
    }
    writeFileSync(join(module, 'buf.yaml'), 'version: v2\n');
    const image = join(work, 'image.binpb');
    // Run inside the module, so that buf names each file by its name there.
    const result = spawnSync(bufBinary(), ['build', '.', '--as-file-descriptor-set', '-o', image], {
      cwd: module,
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      // Say where on disk the files buf names are.
      const reason = (result.stderr || result.error?.message || `buf exited with ${result.status}`)
        .trim()
        .replace(/^([^\s:]+\.proto)(?=:)/gm, (name) => {
          const path = files.get(name);
          return path ? shown(path) : name;
        });
      throw new CliError(`cannot compile --proto ${asked.join(', ')}: ${reason}`);
    }
    return fromBinary(FileDescriptorSetSchema, readFileSync(image)).file;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
