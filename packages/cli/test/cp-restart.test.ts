// Nothing accepted is lost: `shoal apply`, then stop and start `shoal cp` on the same data dir and
// ports. The restarted control plane holds every object with its version, and a connected xDS
// client (@shoal/xds) reconnects to the same resources and versions: no watcher hears of a change.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { shoal, spawnShoal } from '@shoal/testing';
import {
  CLUSTER_TYPE_URL,
  createXdsClient,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  type XdsClient,
} from '@shoal/xds';
import { REVIEWS_HOST, reviewsRegistry, reviewsSplit } from './reviews-config.js';

const HOST = REVIEWS_HOST;
const registry = reviewsRegistry;
const split = reviewsSplit(70);

interface RunningCp {
  process: ChildProcess;
  xds: string;
  admin: string;
  output: () => string;
}

function startCp(args: string[]): Promise<RunningCp> {
  const child = spawnShoal(['cp', ...args]);
  let output = '';
  child.stderr!.on('data', (c) => (output += c));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const m = /xDS \(ADS\) on ([\d.]+:\d+), admin API on http:\/\/([\d.]+:\d+)/.exec(output);
      if (m && /\nconfig /.test(output))
        resolve({ process: child, xds: m[1]!, admin: m[2]!, output: () => output });
    });
    child.once('exit', () => reject(new Error(`shoal cp exited: ${output}`)));
  });
}

async function stopCp(cp: RunningCp): Promise<void> {
  if (cp.process.exitCode !== null) return;
  cp.process.kill('SIGTERM');
  await once(cp.process, 'exit');
}

describe('shoal cp restarted on its data dir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-restart-'));
  const configDir = join(dir, 'config');
  const dataDir = join(dir, 'data');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'reviews.yaml'), registry);
  writeFileSync(join(dir, 'split.yaml'), split);
  let cp: RunningCp | undefined;
  let client: XdsClient | undefined;
  after(async () => {
    await client?.close();
    if (cp) await stopCp(cp);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every applied object and its version; a client sees no change', async () => {
    const common = ['--config', configDir, '--data-dir', dataDir];
    cp = await startCp(['--xds-port', '0', '--admin-port', '0', ...common]);
    assert.match(cp.output(), /store: memory, saved in .*config\.json/);
    const applied = await shoal([
      'apply',
      '-f',
      join(dir, 'split.yaml'),
      '--admin',
      cp.admin,
      '--data-dir',
      dataDir,
    ]);
    assert.equal(applied.code, 0, applied.stderr);
    const before = JSON.parse(
      (await shoal(['get', 'vs', 'reviews', '-o', 'json', '--admin', cp.admin])).stdout,
    );

    client = createXdsClient({
      bootstrap: {
        config: {
          xds_servers: [{ server_uri: cp.xds, channel_creds: [{ type: 'insecure' }] }],
          node: { id: 'restart-test-client' },
        },
      },
    });
    const names: [string, string][] = [
      [LISTENER_TYPE_URL, `${HOST}:9080`],
      [ROUTE_CONFIGURATION_TYPE_URL, `${HOST}:9080`],
      [CLUSTER_TYPE_URL, `outbound|9080|v1|${HOST}`],
      [CLUSTER_TYPE_URL, `outbound|9080|v2|${HOST}`],
    ];
    let updates = 0;
    await Promise.all(
      names.map(
        ([type, name]) =>
          new Promise<void>((resolve, reject) =>
            client!.watch(type, name, {
              onUpdate: () => {
                updates++;
                resolve();
              },
              onError: reject,
              onDoesNotExist: () => reject(new Error(`${name} does not exist`)),
            }),
          ),
      ),
    );
    await client.idle();
    const dumpBefore = client.dump().map((s) => [s.typeUrl, s.name, s.version, s.status]);
    const statusBefore = await shoal(['proxy-status', '-o', 'json', '--admin', cp.admin]);
    const versionBefore = acked(JSON.parse(statusBefore.stdout)[0]);
    assert.equal(Object.keys(versionBefore).length, 3, 'LDS, RDS and CDS acked');
    const updatesBefore = updates;

    const { xds, admin } = cp;
    await stopCp(cp);
    cp = await startCp(['--xds-port', xds.split(':')[1]!, '--admin-port', admin.split(':')[1]!, ...common]);
    assert.match(cp.output(), /config .*: 1 file\(s\), 0 object\(s\)/, 'the files change nothing');
    const after = JSON.parse(
      (await shoal(['get', 'vs', 'reviews', '-o', 'json', '--admin', cp.admin])).stdout,
    );
    assert.deepEqual(after, before, 'the applied object, with its resourceVersion and generation');

    // The client reconnects (it probes quickly after a stream that worked) and ACKs the same versions.
    const deadline = Date.now() + 10_000;
    let synced: Status | undefined;
    while (!synced && Date.now() < deadline) {
      const r = await shoal(['proxy-status', '-o', 'json', '--admin', cp.admin]);
      const clients = JSON.parse(r.stdout || '[]') as Status[];
      synced = clients.find((c) => JSON.stringify(acked(c)) === JSON.stringify(versionBefore));
      if (!synced) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(synced, 'the client is back with the versions it had');
    await client.idle();
    assert.deepEqual(
      client.dump().map((s) => [s.typeUrl, s.name, s.version, s.status]),
      dumpBefore,
    );
    assert.equal(updates, updatesBefore, 'no watcher heard of a change');
  });
});

interface Status {
  types: Record<string, { state: string; ackedVersion?: string }>;
}

/** Type → `SYNCED version` of a client in `shoal proxy-status -o json`. */
function acked(c: Status): Record<string, string> {
  return Object.fromEntries(Object.entries(c.types).map(([t, s]) => [t, `${s.state} ${s.ackedVersion}`]));
}
