// Child-process entry for the memory floor of the cp suite: a bare node:http2 server that keeps
// every request stream open after sending headers and one small message, like an idle ADS stream.
// Its RSS per connection is what Node's HTTP/2 costs before any of Shoal's code runs.
// Argument: "server" or "clients <port> <count>".

import http2 from 'node:http2';
import { serveParent } from './ipc.js';
import { processStats } from './process-stats.js';

async function server(): Promise<void> {
  const h2 = http2.createServer();
  let streams = 0;
  h2.on('stream', (stream) => {
    streams++;
    stream.on('close', () => streams--);
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.write(Buffer.alloc(64));
  });
  await serveParent(
    () =>
      new Promise((resolve) => {
        h2.listen(0, '127.0.0.1', () => resolve({ port: (h2.address() as { port: number }).port }));
      }),
    { stats: ({ collect }: { collect?: boolean } = {}) => processStats(collect, streams) },
  );
}

async function clients(port: number, count: number): Promise<void> {
  const sessions: http2.ClientHttp2Session[] = [];
  await serveParent(async () => {
    for (let i = 0; i < count; i += 50) {
      const batch: Promise<void>[] = [];
      for (let j = i; j < Math.min(count, i + 50); j++) {
        const session = http2.connect(`http://127.0.0.1:${port}`);
        sessions.push(session);
        const stream = session.request({
          ':method': 'POST',
          ':path': '/idle',
          'content-type': 'application/grpc',
        });
        batch.push(
          new Promise((resolve, reject) => {
            stream.once('data', () => resolve());
            stream.once('error', reject);
          }),
        );
      }
      await Promise.all(batch);
    }
    return { connections: sessions.length };
  }, {});
}

const [role, port, count] = process.argv.slice(2);
(role === 'server' ? server() : clients(Number(port), Number(count))).catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
