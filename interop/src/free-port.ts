// Test support: a port free right now on 127.0.0.1, for peers that cannot bind port 0 themselves
// (grpc-js-xds's XdsServer names its inbound listener after the port).

import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
