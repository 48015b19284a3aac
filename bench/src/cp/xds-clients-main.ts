// Child-process entry for the reconnect-stampede measurement: `count` real @shoal/xds clients
// (each its own HTTP/2 connection, default reconnect backoff), each watching the benchmark's
// listener. `connect` resolves once every client has the listener.
// Argument: JSON {xdsPort, count, listener, idPrefix}.

import { createXdsClient, LISTENER_TYPE_URL, type XdsClient } from '@shoal/xds';
import { serveParent } from './ipc.js';

interface Settings {
  xdsPort: number;
  count: number;
  listener: string;
  idPrefix: string;
}

async function main(settings: Settings): Promise<void> {
  const clients: XdsClient[] = [];
  const connect = async (): Promise<number> => {
    const have: Promise<void>[] = [];
    for (let i = 0; i < settings.count; i++) {
      const client = createXdsClient({
        bootstrap: {
          config: {
            xds_servers: [
              { server_uri: `127.0.0.1:${settings.xdsPort}`, channel_creds: [{ type: 'insecure' }] },
            ],
            node: { id: `${settings.idPrefix}-${i}` },
          },
        },
      });
      clients.push(client);
      have.push(
        new Promise<void>((resolve) =>
          client.watch(LISTENER_TYPE_URL, settings.listener, {
            onUpdate: () => resolve(),
            onError: () => {},
            onDoesNotExist: () => {},
          }),
        ),
      );
      if (i % 100 === 99) await new Promise((r) => setImmediate(r)); // a ramp, not one burst
    }
    await Promise.all(have);
    return clients.length;
  };
  const close = async (): Promise<void> => {
    await Promise.all(clients.map((c) => c.close()));
  };
  await serveParent(async () => ({ pid: process.pid }), { connect, close });
}

main(JSON.parse(process.argv[2] ?? '{}') as Settings).catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
