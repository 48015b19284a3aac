// `shoal cp --registry`: Dubbo's ZooKeeper is the one registry it takes; anything else is a usage
// error, and a ZooKeeper not there yet does not keep the control plane from serving.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { shoal, shoalBin } from './run-shoal.js';

describe('shoal cp --registry', () => {
  // State goes to a folder of the test's own, not ./.shoal of the repository.
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-registry-flag-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a registry that is not zookeeper://HOST:PORT', async () => {
    const r = await shoal([
      'cp',
      '--registry',
      'nacos://127.0.0.1:8848',
      '--data-dir',
      dataDir,
      '--xds-port',
      '0',
      '--admin-port',
      '0',
    ]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /--registry "nacos:\/\/127\.0\.0\.1:8848": expected zookeeper:\/\/HOST:PORT \(Dubbo's ZooKeeper; Nacos is not supported\)/,
    );
  });

  it('serves while ZooKeeper is not reachable yet, and says so', async () => {
    // A port nothing listens on.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((r) => server.close(r));
    const cp = spawn(process.execPath, [
      shoalBin,
      'cp',
      '--registry',
      `zookeeper://127.0.0.1:${port}`,
      '--data-dir',
      dataDir,
      '--xds-port',
      '0',
      '--admin-port',
      '0',
    ]);
    let output = '';
    cp.stdout.on('data', (c) => (output += c));
    cp.stderr.on('data', (c) => (output += c));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no registry line: ${output}`)), 20_000);
        cp.stdout.on('data', () => {
          if (/registry zookeeper:\/\/127\.0\.0\.1:\d+: not connected yet/.test(output)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      assert.match(output, /shoal control plane: xDS \(ADS\) on 127\.0\.0\.1:\d+/);
      assert.match(output, /zookeeper not reached yet; serving without it meanwhile/);
    } finally {
      cp.kill('SIGTERM');
      if (cp.exitCode === null) await new Promise((r) => cp.once('exit', r));
    }
  });
});
