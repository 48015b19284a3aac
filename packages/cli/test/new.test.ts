// `shoal new` end to end: scaffold into a temp dir, install from the Shoal workspace (no
// registry needed for Shoal's packages), build, run the provider and consumer, see a call succeed.

import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { shoal } from './run-shoal.js';

const run = promisify(execFile);

describe('shoal new', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'shoal-new-')), 'orders-api');
  let provider: ChildProcess | undefined;

  after(async () => {
    if (provider && provider.exitCode === null) {
      provider.kill('SIGTERM');
      await once(provider, 'exit');
    }
  });

  it('scaffolds an app that installs, builds, serves and calls', { timeout: 240_000 }, async () => {
    const created = await shoal(['new', dir]);
    assert.equal(created.code, 0, created.stderr);
    for (const file of [
      'package.json',
      'proto/ordersapi/v1/ordersapi.proto',
      'src/provider.ts',
      'src/consumer.ts',
      'bootstrap.json',
    ]) {
      assert.ok(existsSync(join(dir, file)), `missing ${file}`);
    }
    const manifests = parseAllDocuments(readFileSync(join(dir, 'deploy/kubernetes.yaml'), 'utf8')).map((d) =>
      d.toJS(),
    );
    assert.deepEqual(
      manifests.map((m) => m.kind),
      ['Service', 'Deployment', 'DestinationRule', 'VirtualService'],
    );
    assert.equal(manifests[1].spec.template.metadata.annotations['inject.istio.io/templates'], 'grpc-agent');
    const bootstrap = JSON.parse(readFileSync(join(dir, 'bootstrap.json'), 'utf8'));
    assert.equal(bootstrap.xds_servers[0].server_uri, '127.0.0.1:15010');

    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: dir,
      timeout: 180_000,
    });
    await run('npm', ['run', 'build'], { cwd: dir, timeout: 120_000 });

    provider = spawn(process.execPath, ['dist/provider.js'], {
      cwd: dir,
      env: { ...process.env, PORT: '0' },
    });
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      provider!.stdout!.on('data', (chunk) => {
        out += chunk;
        const m = /on 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      provider!.once('exit', () => reject(new Error(`provider exited: ${out}`)));
    });
    const consumer = await run(process.execPath, ['dist/consumer.js', 'test'], {
      cwd: dir,
      env: { ...process.env, TARGET: `127.0.0.1:${port}` },
    });
    assert.match(consumer.stdout, /^Hello, test! \(served by orders-api-v1@\d+\)/);
  });

  it('refuses a folder that is not empty, and a bad name', async () => {
    const again = await shoal(['new', dir]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists and is not empty/);
    const badName = await shoal(['new', join(tmpdir(), 'x'), '--name', 'Bad_Name']);
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /lower-case letters, digits and dashes/);
  });

  it('shoal gen explains a folder without protos', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'shoal-gen-'));
    const r = await shoal(['gen', empty]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has no proto\/ folder/);
  });
});
