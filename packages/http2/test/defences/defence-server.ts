// Starts defence-server-main.ts in a child process and talks to it: its stats, a legitimate
// request on a connection of its own (is it still serving?), and stopping it.

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type Http2ServerOptions } from '../../src/index.js';

export interface ServerStats {
  /** JS heap + array buffers + external memory after a full GC, bytes. */
  heap: number;
  rss: number;
  connections: number;
  /** The remote port of each open connection: which of them is still open. */
  peerPorts: (number | undefined)[];
  requests: number;
}

export class DefenceServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(options: Pick<Http2ServerOptions, 'settings' | 'limits'> = {}): Promise<DefenceServer> {
    const main = fileURLToPath(new URL('./defence-server-main.js', import.meta.url));
    const child = fork(main, [JSON.stringify(options)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port));
      child.once('exit', (code) => reject(new Error(`defence server exited with ${code}`)));
    });
    return new DefenceServer(child, port);
  }

  /** True while the server process runs. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  stats(): Promise<ServerStats> {
    return new Promise((resolve) => {
      this.child.once('message', (m: ServerStats) => resolve(m));
      this.child.send('stats');
    });
  }

  /**
   * Stats once `done` holds for them (by default: no connection left), or after `timeoutMs`; the
   * caller asserts what it waited for.
   */
  async settle(
    done: (stats: ServerStats) => boolean = (s) => s.connections === 0,
    timeoutMs = 10_000,
  ): Promise<ServerStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await this.stats();
      if (done(stats) || Date.now() > deadline) return stats;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A request on a connection of its own; resolves with the response body, or rejects. */
  async request(path = '/echo', body = Buffer.from('hello')): Promise<string> {
    const connection = connect({ host: '127.0.0.1', port: this.port });
    try {
      const stream = connection.request({
        ':method': 'POST',
        ':scheme': 'http',
        ':authority': 'localhost',
        ':path': path,
      });
      stream.write(body, true);
      return await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
        stream.setHandler({
          onData: (d) => (text += d.toString()),
          onClose: (error) => {
            clearTimeout(timer);
            if (error) reject(error);
            else resolve(text);
          },
        });
      });
    } finally {
      connection.close();
    }
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.disconnect();
    await exited;
  }
}

export const MiB = 1024 * 1024;
