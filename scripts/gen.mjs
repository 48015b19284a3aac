// Generates TypeScript from .proto files: every workspace folder with a buf.gen.yaml gets
// `buf generate` run in it, with node_modules/.bin on PATH so buf finds protoc-gen-es.
// The protos themselves come from npm packages (see each buf.gen.yaml), never from this repo's copies.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const candidates = [
  ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name)),
  join(root, 'examples'),
  join(root, 'interop'),
  join(root, 'bench'),
];
const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` };
for (const dir of candidates) {
  if (!existsSync(join(dir, 'buf.gen.yaml'))) continue;
  const result = spawnSync('buf', ['generate'], { cwd: dir, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`gen: buf generate failed in ${dir}`);
    process.exit(result.status ?? 1);
  }
}
