// A TCP proxy on loopback for partition tests: forwards to one target until `cut()`, after which
// it drops what flows (existing connections stall, new ones are accepted and never answered), as a
// network partition does; `heal()` closes the stalled connections and forwards again.

import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #cut = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.#server = createServer((client) => this.#accept(client));
  }

  async listen(): Promise<this> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    const a = this.#server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
    return this;
  }

  /** Stops forwarding in both directions; nothing is closed, so peers notice only by timeouts. */
  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.pause();
  }

  heal(): void {
    this.#cut = false;
    for (const s of [...this.#sockets]) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => this.#server.close(r));
  }

  #accept(client: Socket): void {
    this.#track(client);
    if (this.#cut) {
      client.pause();
      return;
    }
    const upstream = createConnection(this.targetPort, this.targetHost);
    this.#track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }

  #track(s: Socket): void {
    this.#sockets.add(s);
    s.on('close', () => this.#sockets.delete(s));
  }
}
