// Child-process entry: starts one server of the RPC suite, named by the first argument, and
// reports its port to the parent. Runs until the parent stops it.

import { answerCpuQueries, reply } from '../lib/child.js';
import { startGrpcJsServer } from './servers/grpc-js-server.js';
import { startRawHttp1Server } from './servers/raw-http1-server.js';
import { startRawHttp2Server } from './servers/raw-http2-server.js';
import { startShoalServer } from './servers/shoal-server.js';

const servers: Record<string, () => Promise<number>> = {
  shoal: () => startShoalServer('shoal'),
  'shoal-node-http2': () => startShoalServer('node-http2'),
  'grpc-js': startGrpcJsServer,
  'raw-http2': startRawHttp2Server,
  'raw-http1': startRawHttp1Server,
};

async function main(kind: string | undefined): Promise<void> {
  const start = kind === undefined ? undefined : servers[kind];
  if (!start) throw new Error(`unknown server "${kind}" (known: ${Object.keys(servers).join(', ')})`);
  // process.exit lets --cpu-prof write its profile when the parent stops this server.
  process.once('SIGTERM', () => process.exit(0));
  answerCpuQueries();
  await reply({ port: await start() });
}

main(process.argv[2]).catch(async (err: Error) => {
  await reply({ error: err.stack ?? String(err) });
  process.exit(1);
});
