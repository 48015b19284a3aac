// Internal, for tests only: a real ZooKeeper (Debian's `zookeeper` package) started on a port the
// test picks, with a zoo.cfg it writes (a temporary dataDir, the admin server off, short ticks so
// sessions time out in seconds), stoppable and restartable on the same port and data.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@shoal/testing';

/** Where Debian's package puts ZooKeeper; the suites skip without it (`.ci/run` installs it). */
export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
export const haveZooKeeper = existsSync(ZOOKEEPER_JAR);

/**
 * Whether ZooKeeper serves sessions yet: its `srvr` command names the server's mode once it does.
 * A listening port is not enough: until then it closes new sessions, and a client under load
 * could wait out its connect timeout over and over.
 */
function serving(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(2000, () => socket.destroy());
    socket.once('connect', () => socket.end('srvr'));
    socket.on('data', (chunk) => (answer += chunk));
    socket.once('close', () => resolve(answer.includes('Mode:')));
    socket.once('error', () => undefined);
  });
}

export class ZooKeeperServer {
  private process: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** `tickMs` 250: sessions of 0.5 to 5 s. */
  static async start(tickMs = 250): Promise<ZooKeeperServer> {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-zk-'));
    const port = await freePort();
    writeFileSync(
      join(dir, 'zoo.cfg'),
      [
        `tickTime=${tickMs}`,
        `dataDir=${join(dir, 'data')}`,
        `clientPort=${port}`,
        'clientPortAddress=127.0.0.1',
        'admin.enableServer=false',
        '4lw.commands.whitelist=srvr',
        'maxClientCnxns=0',
        '',
      ].join('\n'),
    );
    const zk = new ZooKeeperServer(port, dir);
    await zk.resume();
    return zk;
  }

  get connect(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) on the same port and data. */
  async resume(): Promise<void> {
    this.output = '';
    const child = spawn(
      'java',
      [
        '-cp',
        `/etc/zookeeper/conf:/usr/share/java/*`,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        join(this.dir, 'zoo.cfg'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = child;
    // A test process that ends early (a timeout, a signal) takes its ZooKeeper with it.
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    for (const signal of ['SIGTERM', 'SIGINT'] as const)
      process.once(signal, () => {
        kill();
        process.exit(1);
      });
    child.once('exit', () => process.off('exit', kill));
    child.stdout!.on('data', (c) => (this.output = (this.output + c).slice(-4000)));
    child.stderr!.on('data', (c) => (this.output = (this.output + c).slice(-4000)));
    const until = Date.now() + 30_000;
    while (!(await serving(this.port))) {
      if (child.exitCode !== null) throw new Error(`zookeeper exited: ${this.output}`);
      if (Date.now() > until) throw new Error(`zookeeper did not serve on ${this.port}: ${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the server (SIGKILL: as a crash, no goodbye to its clients). */
  async halt(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops the server and removes its data. */
  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
