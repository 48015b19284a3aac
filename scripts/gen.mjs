// Generates TypeScript from .proto files: every workspace folder with a buf.gen.yaml gets
// `buf generate` run in it, with node_modules/.bin on PATH so buf finds protoc-gen-es.
// The protos themselves come from npm packages or the folder's own proto/ (see each buf.gen.yaml).
// A package's test-only protos have a buf.gen.yaml of their own in its test/ folder.
//
// Every `npm start` and `npm test` builds, so codegen must cost nothing when nothing changed:
// - a folder whose inputs (its buf.gen.yaml, every .proto under the directories it names, the
//   plugin's version and this script) hash as at the last run is skipped;
// - otherwise buf writes into a scratch folder, and only files whose content changed are copied
//   over (stale ones removed), so unchanged code keeps its timestamps and `tsc -b` skips it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const workspaces = [
  ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name)),
  join(root, 'examples'),
  join(root, 'interop'),
  join(root, 'bench'),
];
const candidates = workspaces.flatMap((dir) => [dir, join(dir, 'test')]);
const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` };

function* files(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

/** Makes `target` hold exactly what `source` holds, touching only what differs. */
function sync(source, target) {
  const wanted = new Set();
  for (const file of files(source)) {
    const rel = relative(source, file);
    wanted.add(rel);
    const dest = join(target, rel);
    const content = readFileSync(file);
    if (existsSync(dest) && readFileSync(dest).equals(content)) continue;
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, content);
  }
  for (const file of [...files(target)]) {
    const rel = relative(target, file);
    if (!wanted.has(rel) && rel !== '.inputs-hash') rmSync(file);
  }
}

const pluginVersion = readFileSync(
  join(root, 'node_modules', '@bufbuild', 'protoc-gen-es', 'package.json'),
  'utf8',
);
const self = readFileSync(new URL(import.meta.url), 'utf8');

/** A hash of everything buf generate reads for `dir`. */
function inputsHash(dir) {
  const template = readFileSync(join(dir, 'buf.gen.yaml'), 'utf8');
  const hash = createHash('sha256').update(template).update(pluginVersion).update(self);
  for (const m of template.matchAll(/^\s*-\s*directory:\s*(\S+)\s*$/gm)) {
    const inputDir = resolve(dir, m[1]);
    for (const file of [...files(inputDir)].filter((f) => f.endsWith('.proto')).sort()) {
      hash.update(relative(inputDir, file)).update(readFileSync(file));
    }
  }
  return hash.digest('hex');
}

/** The folder a buf.gen.yaml writes to (its one plugin's `out`), relative to the yaml. */
function outputDir(dir) {
  const out = readFileSync(join(dir, 'buf.gen.yaml'), 'utf8').match(/^\s*out:\s*(\S+)\s*$/m);
  if (!out) throw new Error(`gen: ${join(dir, 'buf.gen.yaml')} names no plugin 'out'`);
  return out[1];
}

for (const dir of candidates) {
  if (!existsSync(join(dir, 'buf.gen.yaml'))) continue;
  const out = outputDir(dir);
  const stamp = join(dir, out, '.inputs-hash');
  const hash = inputsHash(dir);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) continue;
  const scratch = mkdtempSync(join(tmpdir(), 'shoal-gen-'));
  try {
    const result = spawnSync('buf', ['generate', '--output', scratch], { cwd: dir, env, stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`gen: buf generate failed in ${dir}`);
      process.exit(result.status ?? 1);
    }
    sync(join(scratch, out), join(dir, out));
    writeFileSync(stamp, hash);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
