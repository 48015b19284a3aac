// `shoal demo` as a user meets it: started as a process, traffic flows through the mesh; the
// canary file moves about 20% to v2; killing zone-a's v1 fails v1 over to zone-b; Ctrl-C
// leaves no process and no port behind.

import assert from 'node:assert/strict';
import { type ChildProcess, execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { shoal, spawnShoal, systemPorts } from '@shoal/testing';
import { lastFrameText, until } from './demo-output.js';

const run = promisify(execFile);
const canary = fileURLToPath(new URL('../../../demo/tour/canary-20.yaml', import.meta.url));
const demoBootstrap = fileURLToPath(new URL('../../../demo/tour/bootstrap.json', import.meta.url));
/** The demo's ports, all picked with 0 and read from its output: the control plane's and the providers' one port. */
const ports = { xds: 0, admin: 0, provider: 0 };

interface Frame {
  providers: Map<string, { pid: number; address: string; state: string; rate: number; identity: string }>;
  subsets: Map<string, number>;
}

/** Reads the last complete table the demo printed (non-TTY mode prints one per second). */
function lastFrame(output: string): Frame | undefined {
  const text = lastFrameText(output);
  if (!text) return undefined;
  const providers: Frame['providers'] = new Map();
  for (const m of text.matchAll(
    /^(v\d-zone-\w)\s+(\d+)\s+(\S+)\s+(serving|starting|exited \(\w+\))\s+([\d.]+)\s+(.*)$/gm,
  )) {
    const [, name, pid, address, state, rate, identity] = m;
    providers.set(name!, {
      pid: Number(pid),
      address: address!,
      state: state!,
      rate: Number(rate),
      identity: identity!,
    });
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
  const home = mkdtempSync(join(tmpdir(), 'shoal-demo-'));

  after(async () => {
    if (demo && demo.exitCode === null) {
      // SIGINT first: the demo stops its providers; SIGKILL only if it does not exit.
      demo.kill('SIGINT');
      const timer = setTimeout(() => demo?.kill('SIGKILL'), 5000);
      await once(demo, 'exit');
      clearTimeout(timer);
    }
  });

  it('routes, shifts by weight, fails over, and stops cleanly', { timeout: 180_000 }, async () => {
    demo = spawnShoal(
      [
        'demo',
        // The provider port: one port free on all three provider addresses, shown in the table.
        ...systemPorts('xds-port', 'admin-port', 'metrics-port', 'provider-port'),
        '--rate',
        '100',
      ],
      { cwd: home },
    ); // the data dir is ./.shoal there, where `shoal apply` below finds the token
    demo.stdout!.on('data', (c) => (output += c));
    demo.stderr!.on('data', (c) => (output += c));
    const bound = await until(
      () =>
        /xDS \(ADS\) on 127\.0\.0\.1:(\d+), admin API on http:\/\/127\.0\.0\.1:(\d+)/.exec(output) ??
        undefined,
      'the control plane',
      60_000,
    );
    ports.xds = Number(bound[1]);
    ports.admin = Number(bound[2]);
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
    // --provider-port 0: one port, free on all three addresses.
    const addresses = [...first.providers.values()].map((p) => p.address).sort();
    ports.provider = Number(addresses[0]!.split(':')[1]);
    assert.ok(ports.provider > 0, addresses.join(' '));
    assert.deepEqual(
      addresses,
      ['127.0.0.11', '127.0.0.12', '127.0.0.13'].map((ip) => `${ip}:${ports.provider}`),
    );
    assert.ok(
      [...first.providers.values()].every((p) => p.state === 'serving'),
      output.slice(-2000),
    );

    // mTLS STRICT: the table says so, every provider is on the wire as its own identity, and a
    // plaintext call to one is refused with the reason.
    assert.match(output, /mTLS STRICT \(PeerAuthentication default in istio-system\)/);
    assert.match(
      output,
      /consumer: spiffe:\/\/cluster\.local\/ns\/default\/sa\/demo-consumer, certificate until/,
    );
    await until(
      () => {
        const f = lastFrame(output);
        return f &&
          [...f.providers.values()].every((p) =>
            /^ns\/default\/sa\/greeter until \d{4}-\d\d-\d\d \d\d:\d\dZ$/.test(p.identity),
          )
          ? f
          : undefined;
      },
      'the providers on mTLS',
      10_000,
    );
    const plain = await run('curl', [
      '-s',
      '-H',
      'content-type: application/json',
      '-d',
      '{"name":"curl"}',
      `http://127.0.0.11:${ports.provider}/greet.v1.GreeterService/Greet`,
    ]);
    assert.match(plain.stdout, /plaintext connection refused: the inbound listener requires mutual TLS/);

    // Gray release: about 20% to v2 once the 5 s window holds only the new split.
    const applied = await shoal(['apply', '-f', canary, '--admin', admin], { cwd: home });
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
    // Over mTLS, with the CLI's token the demo left in .shoal/demo (relative paths: cwd).
    const load = await shoal(
      [
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
      ],
      { cwd: home },
    );
    assert.equal(load.code, 0, load.stderr || load.stdout);
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
