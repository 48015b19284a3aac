// A port free on a host now (the kernel's pick), for a process that must be told its port: a
// provider registers the port it was given, so it cannot listen on port 0.

import { once } from 'node:events';
import { createServer } from 'node:net';

export async function freePort(host: string): Promise<number> {
  const server = createServer().listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}
