// The Shoal server under test: the bench service on @shoal/rpc, gRPC and HTTP mode on one port,
// on Shoal's HTTP/2 or (the `shoal-node-http2` participant) on node:http2.

import { createServer, type ServerOptions } from '@shoal/rpc';
import { BenchService, type EchoRequest } from '../../gen/shoal/bench/v1/bench_pb.js';

const echo = (request: EchoRequest) => ({ text: request.text, id: request.id, payload: request.payload });

export async function startShoalServer(transport?: ServerOptions['transport']): Promise<number> {
  const server = createServer({ transport });
  server.register(BenchService, {
    echo,
    async *serverStream(request) {
      const response = echo(request.echo!);
      for (let i = 0; i < request.count; i++) yield response;
    },
    async *bidi(requests) {
      for await (const request of requests) yield echo(request);
    },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return port;
}
