// The one port the demo's providers serve on, each on its own 127.0.0.x: the port given, or for
// 0, a port free on every provider address. (Port 0 passed on would give each provider its own
// port; the tour and the table say one.)

import net from 'node:net';

function freeOn(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port free on all of `hosts`: the first that the OS gives on one of them and the rest accept. */
export async function sharedFreePort(hosts: readonly string[]): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, hosts[0], () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const free = await Promise.all(hosts.map((h) => freeOn(port, h)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`no port free on all of ${hosts.join(', ')}`);
}
