// Shoal as a user installs it: `npm pack` every published package, install the tarballs in an empty
// folder outside the workspace (third-party packages from the npm cache or registry), scaffold an
// app there with the installed CLI (`shoal new`), build it, and run it: the installed `shoal cp`
// with the app's mesh/ config, a provider that registers itself, and the consumer, which calls the
// interface name through the mesh. Also checks what the tarballs hold (no specs, test support,
// sources or maps), that every `exports` entry loads, and that a module outside `exports` does not.
// One `npm install` only: the whole file must finish within the runner's 120 s on a busy machine.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '@shoal/testing';
import { ProcessGroup } from '../src/demo/process-group.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../../', import.meta.url));

interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, unknown>;
}

/** The published packages: packages/* that are not private. */
function publishedPackages(): { dir: string; manifest: Manifest }[] {
  return readdirSync(join(root, 'packages'))
    .map((name) => join('packages', name))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private);
}

async function npm(args: string[], cwd: string, timeout = 180_000): Promise<string> {
  const { stdout } = await run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd,
    timeout,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

describe('the packed packages, installed outside the workspace', () => {
  const processes = new ProcessGroup(() => {});
  let dir = '';
  after(async () => {
    await processes.stopAll(3000);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('install from their tarballs and run a scaffolded app', { timeout: 420_000 }, async () => {
    // In memory where the machine has it: 7,000 files are written and removed.
    dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'shoal-packed-'));
    const packages = publishedPackages();
    const packed = JSON.parse(
      await npm(
        ['pack', '--json', '--pack-destination', dir, ...packages.flatMap((p) => ['-w', p.dir])],
        root,
        60_000,
      ),
    ) as { name: string; filename: string; files: { path: string }[] }[];
    assert.deepEqual(packed.map((p) => p.name).sort(), packages.map((p) => p.manifest.name).sort());
    for (const p of packed) {
      const shipped = p.files.map((f) => f.path);
      const stray = shipped.filter((f) => /(^|\/)(src|test|dist-test)\/|\.test\.|\.map$|tsbuildinfo/.test(f));
      assert.deepEqual(stray, [], `${p.name} ships test code, sources or maps`);
    }
    const tarballs = packed.map((p) => join(dir, p.filename));

    // One install, as an app's would be: the tarballs, and what the scaffolded app adds (the
    // ranges the installed CLI writes for them). The app is scaffolded inside that folder, so
    // node, tsc and `npm run` find the packages in the folder above it.
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    await npm(['install', ...tarballs, 'typescript@~5.9.0', '@types/node@^20.19.0'], dir);
    const shoalBin = join(dir, 'node_modules', '@shoal', 'cli', 'bin', 'shoal.js');
    const app = join(dir, 'orders-api');
    await run(process.execPath, [shoalBin, 'new', app], { timeout: 30_000 });
    // The app asks for Shoal's packages at the CLI's version, and for nothing the folder lacks.
    const asked = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
    for (const [name, range] of Object.entries({ ...asked.dependencies, ...asked.devDependencies })) {
      // Throws if the folder lacks it.
      const installed = JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8'));
      if (name.startsWith('@shoal/')) assert.equal(range, installed.version, name);
    }
    await npm(['run', 'build'], app, 120_000);

    // Every entry point loads; a module outside `exports` does not.
    const entries = packages.flatMap(({ manifest }) =>
      Object.keys(manifest.exports ?? {})
        .filter((subpath) => subpath !== './package.json')
        .map((subpath) => manifest.name + subpath.slice(1)),
    );
    await run(
      process.execPath,
      ['--input-type=module', '-e', entries.map((e) => `await import('${e}');`).join('\n')],
      { cwd: app, timeout: 30_000 },
    );
    await assert.rejects(
      run(
        process.execPath,
        ['--input-type=module', '-e', "await import('@shoal/mesh/dist/lb/xxhash64.js')"],
        {
          cwd: app,
          timeout: 30_000,
        },
      ),
      /ERR_PACKAGE_PATH_NOT_EXPORTED/,
    );

    const cp = processes.start({
      name: 'cp',
      args: [shoalBin, 'cp', '--xds-port', '0', '--admin-port', '0', '--config', 'mesh'],
      cwd: app,
      readyPattern: /xDS \(ADS\) on ([\d.]+:\d+), admin API on http:\/\/([\d.]+:\d+)/,
    });
    const [, xds, admin] = await cp.ready;
    // The console comes from the installed @shoal/console.
    const page = await fetch(`http://${admin}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script/);

    const bootstrapFile = join(app, 'bootstrap.json');
    const bootstrap = JSON.parse(readFileSync(bootstrapFile, 'utf8'));
    bootstrap.xds_servers[0].server_uri = xds;
    writeFileSync(bootstrapFile, JSON.stringify(bootstrap));
    const host = `127.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}.11`;
    const provider = processes.start({
      name: 'provider',
      args: ['dist/provider.js'],
      cwd: app,
      env: { VERSION: 'v1', HOST: host, PORT: String(await freePort(host)) },
      readyPattern: /^serving:/,
    });
    await provider.ready;

    const { stdout } = await run(process.execPath, ['dist/consumer.js', '10'], { cwd: app, timeout: 60_000 });
    const answered = [...stdout.matchAll(/^\s*(\d+) {2}orders-api-v1@/gm)].map((m) => Number(m[1]));
    assert.deepEqual(answered, [10], `every call answered by the provider:\n${stdout}`);
  });
});
