// A long-running tool nobody here wrote (nghttpx, nginx, h2o, nghttpd) as a child process on
// loopback ports the test picked: started once every port accepts connections, its output kept
// for the error when it does not, and stopped with SIGTERM, then SIGKILL; its directory (config,
// logs) removed. Should the test process end without stopping it, the tool goes with it.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';

export interface DaemonOptions {
  command: string;
  args: string[];
  /** Loopback ports it listens on, first the main one. */
  ports: number[];
  /** What errors call it (default the command). */
  name?: string;
  cwd?: string;
  /** A temporary directory of its own (config, logs), removed when it stops. */
  dir?: string;
  /** A log file to show when it does not come up. */
  log?: string;
  /** How long it may take to listen (default 10 s). */
  startTimeoutMs?: number;
}

/** The output kept, for errors: the last 64 KiB. */
const OUTPUT_KEPT = 64 * 1024;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class Daemon {
  private output = '';
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: DaemonOptions,
  ) {
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-OUTPUT_KEPT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const orphanGuard = () => child.kill('SIGKILL');
    process.once('exit', orphanGuard);
    this.exit = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      // Not installed, or not allowed to run: no 'exit' follows.
      child.once('error', (error) => {
        keep(Buffer.from(String(error)));
        resolve();
      });
    });
    void this.exit.then(() => {
      this.exited = true;
      process.removeListener('exit', orphanGuard);
    });
  }

  /** Starts it and resolves once every port accepts connections. */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const child = spawn(options.command, options.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: options.cwd,
    });
    const daemon = new Daemon(child, options);
    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    for (const port of options.ports) {
      while (!(await accepts(port))) {
        if (daemon.exited || Date.now() > deadline) {
          const log = options.log && existsSync(options.log) ? readFileSync(options.log, 'utf8') : '';
          await daemon.stop();
          throw new Error(`${daemon.name} did not start on port ${port}: ${daemon.output}${log}`.trim());
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    return daemon;
  }

  get name(): string {
    return this.options.name ?? this.options.command;
  }

  /** Loopback ports it listens on, first the main one. */
  get ports(): readonly number[] {
    return this.options.ports;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Its own directory, if it has one. */
  get dir(): string | undefined {
    return this.options.dir;
  }

  /** What it printed (the last 64 KiB). */
  get log(): string {
    return this.output;
  }

  /** SIGTERM, then SIGKILL after 3 s; removes its directory. */
  async stop(): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const force = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await this.exit;
      clearTimeout(force);
    }
    if (this.options.dir) rmSync(this.options.dir, { recursive: true, force: true });
  }
}
