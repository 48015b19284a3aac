// `shoal demo --replicas 3 --store etcd://…` on a real 3-member etcd (Debian's etcd-server): three
// `shoal cp` processes share the config, the registrations and one CA, so the demo runs mTLS
// STRICT; killing the replica the consumer uses moves it to another one (whose xDS certificate it
// trusts: the same root) without an error in the table, and Ctrl-C leaves nothing running.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { etcdAvailable, LocalEtcdCluster } from '@shoal/control-plane';
import { freePort, spawnShoal } from '@shoal/testing';
import { lastFrameText, until } from './demo-output.js';

/** Rows of the last CONTROL PLANE table, and the errors column of the last SUBSET table. */
function lastFrame(output: string) {
  const text = lastFrameText(output);
  if (!text) return undefined;
  const replicas = [...text.matchAll(/^(cp-\d)\s+(\d+)\s+(\S+)\s+(serving|starting|exited \(\w+\))$/gm)].map(
    (m) => ({ name: m[1]!, pid: Number(m[2]), xds: m[3]!, state: m[4]! }),
  );
  const subsets = text.split('SUBSET')[1]?.split('ZONE')[0] ?? '';
  const rows = [...subsets.matchAll(/^(v\d|failed)\s+([\d.]+)\s+(\d+)\s+/gm)].map((m) => ({
    subset: m[1]!,
    rate: Number(m[2]),
    errors: Number(m[3]),
  }));
  return { replicas, rows };
}

describe('shoal demo --replicas 3', { skip: !etcdAvailable() && 'no /usr/bin/etcd' }, () => {
  let etcd: LocalEtcdCluster;
  let demo: ChildProcess | undefined;
  let output = '';
  const home = mkdtempSync(join(tmpdir(), 'shoal-demo-replicas-'));
  before(async () => {
    etcd = await LocalEtcdCluster.start(3);
  });
  after(async () => {
    if (demo && demo.exitCode === null) {
      demo.kill('SIGKILL');
      await once(demo, 'exit');
    }
    await etcd?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("serves through whichever replica is up: killing the consumer's replica costs no call", {
    timeout: 120_000,
  }, async () => {
    demo = spawnShoal(
      [
        'demo',
        '--replicas',
        '3',
        '--store',
        etcd.storeUrl,
        '--xds-port',
        '0',
        '--admin-port',
        '0',
        // Every provider listens on this port on its own IP (127.0.0.11, ...), as do their metrics.
        '--provider-port',
        String(await freePort('127.0.0.11')),
        '--metrics-port',
        String(await freePort('127.0.0.11')),
        '--rate',
        '100',
      ],
      { cwd: home },
    );
    demo.stdout!.on('data', (c) => (output += c));
    demo.stderr!.on('data', (c) => (output += c));
    const first = await until(
      () => {
        const f = lastFrame(output);
        return f && f.replicas.length === 3 && (f.rows.find((r) => r.subset === 'v1')?.rate ?? 0) > 10
          ? f
          : undefined;
      },
      'traffic with three replicas',
      60_000,
    ).catch((err) => {
      throw new Error(`${err.message}\n${output.slice(-3000)}`);
    });
    assert.ok(
      first.replicas.every((r) => r.state === 'serving'),
      output.slice(-2000),
    );
    // mTLS STRICT with replicas: the consumer's certificate comes from the CA they share.
    assert.match(
      output,
      /mTLS STRICT \(PeerAuthentication default in istio-system\)[^\n]*share one CA in etcd/,
    );
    assert.match(
      output,
      /consumer: spiffe:\/\/cluster\.local\/ns\/default\/sa\/demo-consumer, certificate until/,
    );
    // cp-1 is the consumer's first server: kill it.
    process.kill(first.replicas[0]!.pid, 'SIGKILL');
    const after = await until(
      () => {
        const f = lastFrame(output);
        return f?.replicas[0]?.state.startsWith('exited') ? f : undefined;
      },
      'cp-1 shown as exited',
      10_000,
    );
    await new Promise((r) => setTimeout(r, 6000)); // a full 5 s window after the kill
    const later = lastFrame(output)!;
    assert.ok((later.rows.find((r) => r.subset === 'v1')?.rate ?? 0) > 10, 'traffic still flows');
    assert.deepEqual(
      later.rows.map((r) => r.errors),
      later.rows.map(() => 0),
      `errors after the kill: ${JSON.stringify(later.rows)}\n${output.slice(-1500)}`,
    );
    assert.equal(after.replicas.length, 3);
    demo.kill('SIGINT');
    const [code] = await once(demo, 'exit');
    assert.equal(code, 0, output.slice(-2000));
    assert.match(output, /demo stopped/);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.deepEqual(first.replicas.map((r) => r.pid).filter(alive), [], 'no replica left running');
  });
});
