// `shoal cp --registry`: Dubbo's ZooKeeper is the one registry it takes; anything else is a usage
// error, and a ZooKeeper not there yet does not keep the control plane from serving.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, ShoalCpProcess, shoal } from '@shoal/testing';

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
    const port = await freePort(); // nothing listens on it
    const cp = await ShoalCpProcess.start(
      ['--registry', `zookeeper://127.0.0.1:${port}`, '--data-dir', dataDir],
      (output) => /registry zookeeper:\/\/127\.0\.0\.1:\d+: not connected yet/.test(output),
      20_000,
    );
    try {
      assert.match(cp.output, /shoal control plane: xDS \(ADS\) on 127\.0\.0\.1:\d+/);
      assert.match(cp.output, /zookeeper not reached yet; serving without it meanwhile/);
    } finally {
      await cp.stop();
    }
  });
});
