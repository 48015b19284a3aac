// `shoal gen [DIR]`: TypeScript from the app's .proto files, with buf and protoc-gen-es (both
// shipped as npm packages with the CLI). Uses DIR/buf.gen.yaml, or Shoal's default template.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { bufBinary } from '../buf-binary.js';
import { CliError } from '../cli-error.js';

/** The template `shoal new` writes and `shoal gen` falls back to. */
export const defaultBufGenYaml = `version: v2
clean: true
plugins:
  - local: protoc-gen-es
    out: src/gen
    opt: [target=ts, import_extension=js]
inputs:
  - directory: proto
`;

export function runGen(dir: string): void {
  const root = resolve(dir);
  if (!existsSync(join(root, 'proto')) && !existsSync(join(root, 'buf.gen.yaml'))) {
    throw new CliError(
      `${root} has no proto/ folder and no buf.gen.yaml`,
      1,
      'put your .proto files under proto/',
    );
  }
  const require = createRequire(import.meta.url);
  const buf = bufBinary();
  const pluginBin = join(dirname(require.resolve('@bufbuild/protoc-gen-es/package.json')), 'bin');
  const args = existsSync(join(root, 'buf.gen.yaml'))
    ? ['generate']
    : ['generate', '--template', defaultBufGenYaml];
  const result = spawnSync(buf, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${pluginBin}${delimiter}${process.env.PATH ?? ''}` },
  });
  if (result.status !== 0) {
    throw new CliError(
      `code generation failed in ${root}: ${(result.stderr || result.error?.message || '').trim()}`,
    );
  }
}

export function registerGen(program: Command): void {
  program
    .command('gen')
    .description("generate TypeScript from the app's .proto files (buf + protoc-gen-es)")
    .argument('[dir]', 'the app folder', '.')
    .action((dir: string) => {
      runGen(dir);
      process.stdout.write(`generated code for ${resolve(dir, 'proto')} into ${resolve(dir, 'src/gen')}\n`);
    });
}
