// Test support: a real HTTP/2 proxy (nghttpx, nginx) as a child process on loopback ports the
// test picks, with its config and logs in a temporary directory, started only once it accepts
// connections and stopped (SIGTERM, then SIGKILL) with its directory removed.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProxyProcess {
  readonly name: string;
  /** Loopback ports it listens on, first the main one. */
  readonly ports: readonly number[];
  readonly pid: number;
  readonly dir: string;
  close(): Promise<void>;
}

/** A loopback port free right now (bound to port 0 and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `shoal-${prefix}-`));
}

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

export interface SpawnProxyOptions {
  name: string;
  command: string;
  args: string[];
  ports: number[];
  dir: string;
  /** A log file to show when the proxy does not come up. */
  log?: string;
}

/** Starts the proxy and resolves once every port accepts connections (5 s at most). */
export async function spawnProxy(options: SpawnProxyOptions): Promise<ProxyProcess> {
  const child: ChildProcess = spawn(options.command, options.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let exited = false;
  // Should the test process end without closing it (a crash), the proxy goes with it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => {
    exited = true;
    process.removeListener('exit', orphanGuard);
  });
  const close = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(options.dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 5000;
  for (const port of options.ports) {
    while (!(await accepts(port))) {
      if (exited || Date.now() > deadline) {
        const log = options.log && existsSync(options.log) ? readFileSync(options.log, 'utf8') : '';
        await close();
        throw new Error(`${options.name} did not start on port ${port}: ${stderr}${log}`.trim());
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return { name: options.name, ports: options.ports, pid: child.pid ?? 0, dir: options.dir, close };
}
