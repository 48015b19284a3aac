// `shoal demo` as a user meets it: started as a process, traffic flows through the mesh; the
// canary file moves about 20% to v2; killing zone-a's v1 fails v1 over to zone-b; Ctrl-C
// leaves no process and no port behind.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lastFrameText, until } from './demo-output.js';
import { shoal, shoalBin } from './run-shoal.js';

const canary = fileURLToPath(new URL('../../../demo/tour/canary-20.yaml', import.meta.url));
const demoBootstrap = fileURLToPath(new URL('../../../demo/tour/bootstrap.json', import.meta.url));
const ports = { xds: 25310, admin: 25300, provider: 50931 };

interface Frame {
  providers: Map<string, { pid: number; state: string; rate: number }>;
  subsets: Map<string, number>;
}

/** Reads the last complete table the demo printed (non-TTY mode prints one per second). */
function lastFrame(output: string): Frame | undefined {
  const text = lastFrameText(output);
  if (!text) return undefined;
  const providers = new Map<string, { pid: number; state: string; rate: number }>();
  for (const m of text.matchAll(
    /^(v\d-zone-\w)\s+(\d+)\s+\S+\s+(serving|starting|exited \(\w+\))\s+([\d.]+)$/gm,
  )) {
    providers.set(m[1]!, { pid: Number(m[2]), state: m[3]!, rate: Number(m[4]) });
  }
  const subsets = new Map<string, number>();
  const subsetTable = text.split('SUBSET')[1]?.split('ZONE')[0] ?? '';
  for (const m of subsetTable.matchAll(/^(v\d|failed)\s+([\d.]+)\s+/gm)) subsets.set(m[1]!, Number(m[2]));
  return { providers, subsets };
}

function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('shoal demo', () => {
  let demo: ChildProcess | undefined;
  let output = '';

  after(async () => {
    if (demo && demo.exitCode === null) {
      demo.kill('SIGKILL');
      await once(demo, 'exit');
    }
  });

  it('routes, shifts by weight, fails over, and stops cleanly', { timeout: 180_000 }, async () => {
    demo = spawn(process.execPath, [
      shoalBin,
      'demo',
      '--xds-port',
      String(ports.xds),
      '--admin-port',
      String(ports.admin),
      '--provider-port',
      String(ports.provider),
      '--rate',
      '100',
    ]);
    demo.stdout!.on('data', (c) => (output += c));
    demo.stderr!.on('data', (c) => (output += c));
    const admin = `127.0.0.1:${ports.admin}`;

    // All on v1, in the consumer's own zone.
    const first = await until(
      () => {
        const f = lastFrame(output);
        return f && f.providers.get('v1-zone-a')!.rate > 10 ? f : undefined;
      },
      'traffic on v1-zone-a',
      60_000,
    );
    assert.equal(first.providers.size, 3);
    assert.ok(
      [...first.providers.values()].every((p) => p.state === 'serving'),
      output.slice(-2000),
    );

    // Gray release: about 20% to v2 once the 5 s window holds only the new split.
    const applied = await shoal(['apply', '-f', canary, '--admin', admin]);
    assert.equal(applied.code, 0, applied.stderr);
    await new Promise((r) => setTimeout(r, 7000));
    const split = lastFrame(output)!;
    const v1 = split.subsets.get('v1') ?? 0;
    const v2 = split.subsets.get('v2') ?? 0;
    const share = v2 / (v1 + v2);
    assert.ok(share > 0.12 && share < 0.28, `v2 share ${share.toFixed(3)} (v1 ${v1}/s, v2 ${v2}/s)`);
    assert.ok(split.providers.get('v2-zone-a')!.rate > 0);

    // The same split seen by `shoal call` through the mesh, by interface name, by cluster.
    const bootstrap = join(mkdtempSync(join(tmpdir(), 'shoal-demo-')), 'bootstrap.json');
    writeFileSync(
      bootstrap,
      readFileSync(demoBootstrap, 'utf8').replace('127.0.0.1:15010', `127.0.0.1:${ports.xds}`),
    );
    const load = await shoal([
      'call',
      'greet.v1.GreeterService',
      'greet.v1.GreeterService/Greet',
      '--bootstrap',
      bootstrap,
      '--count',
      '400',
      '--concurrency',
      '10',
      '-o',
      'json',
    ]);
    assert.equal(load.code, 0, load.stderr);
    const summary = JSON.parse(load.stdout) as {
      ok: number;
      byCluster: { cluster: string; share: number }[];
    };
    assert.equal(summary.ok, 400);
    const v2Share = summary.byCluster.find((c) => c.cluster.includes('|v2|'))?.share ?? 0;
    assert.ok(v2Share > 12 && v2Share < 28, `shoal call saw ${v2Share}% on v2`);

    // Failover: zone-a's v1 goes away, v1 traffic moves to zone-b.
    process.kill(first.providers.get('v1-zone-a')!.pid, 'SIGKILL');
    await until(
      () => {
        const f = lastFrame(output);
        return f && f.providers.get('v1-zone-b')!.rate > 10 ? f : undefined;
      },
      'v1 traffic to fail over to zone-b',
      30_000,
    );

    // Ctrl-C: everything stops, nothing is left.
    const pids = [...first.providers.values()].map((p) => p.pid);
    demo.kill('SIGINT');
    const [code] = await once(demo, 'exit');
    assert.equal(code, 0, output.slice(-2000));
    assert.match(output, /demo stopped/);
    assert.deepEqual(pids.filter(alive), []);
    for (const [port, host] of [
      [ports.xds, '127.0.0.1'],
      [ports.admin, '127.0.0.1'],
      [ports.provider, '127.0.0.11'],
      [ports.provider, '127.0.0.12'],
      [ports.provider, '127.0.0.13'],
    ] as const) {
      assert.ok(await portIsFree(port, host), `port ${host}:${port} still in use`);
    }
  });
});
