// The Shoal server under test: the bench service on @shoal/rpc, gRPC and HTTP mode on one port.

import { createServer } from '@shoal/rpc';
import { BenchService } from '../../gen/shoal/bench/v1/bench_pb.js';

export async function startShoalServer(): Promise<number> {
  const server = createServer();
  server.register(BenchService, {
    echo: (request) => ({ text: request.text, id: request.id, payload: request.payload }),
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return port;
}
