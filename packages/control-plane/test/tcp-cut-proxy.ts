// Internal, for tests only: a TCP proxy in front of a server that can cut every connection and
// refuse new ones for a while, as a network partition would, and let them through again.

import net from 'node:net';

export class CutProxy {
  private readonly sockets = new Set<net.Socket>();
  private cutValue = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<CutProxy> {
    let proxy: CutProxy | undefined;
    const server = net.createServer((client) => {
      if (!proxy || proxy.cutValue) {
        client.destroy();
        return;
      }
      const upstream = net.connect(targetPort, '127.0.0.1');
      const sockets = proxy.sockets;
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new CutProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  get connect(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Drops every connection and refuses new ones until restore(). */
  cut(): void {
    this.cutValue = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cutValue = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((r) => this.server.close(() => r()));
  }
}
