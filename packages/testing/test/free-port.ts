// A port free right now (the kernel's pick, released at once), for what must be told its port
// before it listens: nghttpx, h2o, a grpc-js-xds server, a provider that registers its port, a
// control plane whose address goes into a bootstrap first.

import { once } from 'node:events';
import { createServer } from 'node:net';

/** A port free on `host` (default 127.0.0.1) now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error)),
  ]);
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
