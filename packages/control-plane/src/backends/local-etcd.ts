// A local etcd cluster for demos and tests (`shoal demo --replicas N`, the replica fault tests):
// Debian's etcd-server (/usr/bin/etcd, or $SHOAL_ETCD_BIN), N members on loopback ports picked
// here, data in a temporary folder, stopped (and the folder removed) by `stop()`. Members can be
// killed and started again, as a fault test needs. Not for production: its data is thrown away.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The etcd binary: $SHOAL_ETCD_BIN, else Debian's. */
function etcdBin(): string {
  return process.env.SHOAL_ETCD_BIN ?? '/usr/bin/etcd';
}

/** Whether etcd is installed (Debian: `apt-get install etcd-server`). */
export function etcdAvailable(): boolean {
  return existsSync(etcdBin());
}

/** A free loopback port (the kernel's pick; closed again before etcd binds it). */
async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((r) => server.close(r));
  return port;
}

interface Member {
  name: string;
  clientPort: number;
  peerPort: number;
  process?: ChildProcess;
  log: string;
}

export class LocalEtcdCluster {
  readonly #dir = mkdtempSync(join(tmpdir(), 'shoal-etcd-'));
  readonly #members: Member[] = [];

  /** Starts `size` members and waits until the cluster answers. */
  static async start(size = 3): Promise<LocalEtcdCluster> {
    const cluster = new LocalEtcdCluster();
    for (let i = 1; i <= size; i++) {
      cluster.#members.push({
        name: `m${i}`,
        clientPort: await freePort(),
        peerPort: await freePort(),
        log: '',
      });
    }
    for (const m of cluster.#members) cluster.#spawn(m);
    await cluster.ready();
    return cluster;
  }

  /** `http://127.0.0.1:PORT` of every member. */
  get endpoints(): string[] {
    return this.#members.map((m) => `http://127.0.0.1:${m.clientPort}`);
  }

  /** `etcd://127.0.0.1:P1,127.0.0.1:P2,...`: the `--store` value for a control plane. */
  get storeUrl(): string {
    return `etcd://${this.#members.map((m) => `127.0.0.1:${m.clientPort}`).join(',')}`;
  }

  member(i: number): { name: string; clientPort: number; running: boolean } {
    const m = this.#members[i]!;
    return { name: m.name, clientPort: m.clientPort, running: m.process?.exitCode === null };
  }

  /** Kills member `i` (SIGKILL: no goodbye to its peers). */
  async kill(i: number): Promise<void> {
    const p = this.#members[i]?.process;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGKILL');
    await once(p, 'exit');
  }

  /** Starts member `i` again on its data (it rejoins the cluster). */
  async restart(i: number): Promise<void> {
    this.#spawn(this.#members[i]!);
    await this.ready();
  }

  /** Resolves once a quorum answers a linearizable read on some member. */
  async ready(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const m of this.#members) {
        if (m.process?.exitCode !== null) continue;
        try {
          const res = await fetch(`http://127.0.0.1:${m.clientPort}/health`, {
            signal: AbortSignal.timeout(1000),
          });
          if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
        } catch {
          // not up yet
        }
      }
      if (Date.now() > deadline)
        throw new Error(
          `etcd cluster not healthy after ${timeoutMs} ms:\n${this.#members.map((m) => `${m.name}: ${m.log.slice(-2000)}`).join('\n')}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.#members.map((_, i) => this.kill(i)));
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #spawn(m: Member): void {
    const peers = this.#members.map((x) => `${x.name}=http://127.0.0.1:${x.peerPort}`).join(',');
    const child = spawn(
      etcdBin(),
      [
        `--name=${m.name}`,
        `--data-dir=${join(this.#dir, m.name)}`,
        `--listen-client-urls=http://127.0.0.1:${m.clientPort}`,
        `--advertise-client-urls=http://127.0.0.1:${m.clientPort}`,
        `--listen-peer-urls=http://127.0.0.1:${m.peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${m.peerPort}`,
        `--initial-cluster=${peers}`,
        '--initial-cluster-state=new',
        `--initial-cluster-token=shoal-test-${process.pid}`,
        // Fast elections for tests on a busy machine (defaults: 100 ms / 1 s).
        '--heartbeat-interval=100',
        '--election-timeout=1000',
        '--logger=zap',
        '--log-level=error',
        '--log-outputs=stderr',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.on('error', (err) => {
      m.log += `\ncannot run ${etcdBin()}: ${err.message}`;
    });
    child.stderr!.on('data', (c) => {
      m.log = (m.log + c).slice(-20_000);
    });
    m.process = child;
  }
}
