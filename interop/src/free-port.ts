// A port on 127.0.0.1 that is free right now, for peers that cannot be told to pick one
// (nghttpx, grpc-js-xds's server, a control plane whose address goes into a bootstrap first).

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
