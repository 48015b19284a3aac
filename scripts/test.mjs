// Runs every compiled spec with node's test runner: `*.test.js` under a package's dist-test/ (its
// specs and test/ suites, built by test/tsconfig.json) or a private workspace's dist/.
// Node 20's --test takes no globs, so the files are listed here.
// SHOAL_RPC_TRANSPORT=node-http2 runs everything on node:http2 first.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const filter = process.argv.slice(2);

function* specs(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* specs(path);
    else if (name.endsWith('.test.js')) yield path;
  }
}

const workspaces = [
  ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name)),
  join(root, 'examples'),
  join(root, 'interop'),
  join(root, 'bench'),
];
const files = workspaces
  .map((dir) => (existsSync(join(dir, 'test', 'tsconfig.json')) ? join(dir, 'dist-test') : join(dir, 'dist')))
  .filter((dist) => existsSync(dist))
  .flatMap((dist) => [...specs(dist)])
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('test: no compiled specs found; run `npm run build` first');
  process.exit(1);
}
// The suites that exercise HTTP/2 run a second time on the other transport of @shoal/rpc
// (SHOAL_RPC_TRANSPORT): node:http2 while Shoal's own is the default.
const bothTransports = ['packages/rpc/dist-test/', 'interop/dist/'];
const first = process.env.SHOAL_RPC_TRANSPORT || 'shoal';
const second = first === 'node-http2' ? 'shoal' : 'node-http2';
const again = files.filter((file) => bothTransports.some((dir) => file.includes(dir)));

function run(list, transport) {
  const result = spawnSync(
    process.execPath,
    ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=120000', ...list],
    { stdio: 'inherit', cwd: root, env: { ...process.env, SHOAL_RPC_TRANSPORT: transport } },
  );
  return result.status ?? 1;
}

let status = run(files, first);
if (again.length > 0) {
  console.log(
    `\ntest: ${again.length} suites that exercise HTTP/2 again, on SHOAL_RPC_TRANSPORT=${second}\n`,
  );
  status = run(again, second) || status;
}
process.exit(status);
