// Child-process entry: opens `count` HTTP/2 connections (node:http2 sessions) to a server, makes
// one unary gRPC call on each, and leaves them open and idle until stopped, so the server's
// memory per idle connection can be read. Arguments: port count.

import http2 from 'node:http2';
import { reply } from '../lib/child.js';
import { echoPath, grpcFrame } from './payload.js';

async function main(port: number, count: number): Promise<void> {
  process.once('SIGTERM', () => process.exit(0));
  const sessions: http2.ClientHttp2Session[] = [];
  const frame = grpcFrame();
  for (let i = 0; i < count; i += 100) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(count, i + 100); j++) {
      const session = http2.connect(`http://127.0.0.1:${port}`);
      session.on('error', () => {});
      sessions.push(session);
      const stream = session.request({
        ':method': 'POST',
        ':path': echoPath,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      batch.push(
        new Promise((resolve, reject) => {
          stream.on('trailers', (t) =>
            t['grpc-status'] === '0' ? resolve() : reject(new Error(`grpc-status ${t['grpc-status']}`)),
          );
          stream.on('error', reject);
          stream.resume();
        }),
      );
      stream.end(frame);
    }
    await Promise.all(batch);
  }
  await reply({ connections: sessions.length });
}

const [port, count] = process.argv.slice(2);
main(Number(port), Number(count)).catch(async (err: Error) => {
  await reply({ error: err.stack ?? String(err) });
  process.exit(1);
});
