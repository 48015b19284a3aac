// Real @shoal/rpc servers for the mesh tests: each answers the test Greeter with its own id, the
// request headers it saw, and can be told to delay or fail. Internal to tests.

import { Code, createServer, RpcError, type Server } from '@shoal/rpc';
import { Greeter } from './gen/shoal/meshtest/v1/greeter_pb.js';

export interface GreeterServer {
  readonly id: string;
  readonly port: number;
  readonly server: Server;
  /** Calls answered (or failed on purpose) so far. */
  calls: number;
  /** When set, every call fails with this code (until cleared). */
  failWith: Code | undefined;
}

export async function startGreeter(id: string): Promise<GreeterServer> {
  const server = createServer();
  const state: { -readonly [K in keyof GreeterServer]: GreeterServer[K] } = {
    id,
    port: 0,
    server,
    calls: 0,
    failWith: undefined,
  };
  const answer = async (
    req: { name: string; delayMs: number; failCode: number },
    headers: Record<string, string>,
  ) => {
    state.calls++;
    if (req.delayMs > 0) await new Promise((r) => setTimeout(r, req.delayMs));
    const code = state.failWith ?? (req.failCode === 0 ? undefined : (req.failCode as Code));
    if (code !== undefined) throw new RpcError(code, `${id} fails on purpose`);
    return { server: id, headers };
  };
  server.register(Greeter, {
    sayHello: (req, ctx) => answer(req, ctx.requestHeader.toJSON() as Record<string, string>),
    farewell: (req, ctx) => answer(req, ctx.requestHeader.toJSON() as Record<string, string>),
    async *sayHelloStream(req, ctx) {
      const first = await answer(req, ctx.requestHeader.toJSON() as Record<string, string>);
      for (let i = 0; i < 3; i++) yield { ...first, index: i };
    },
  });
  const address = await server.listen(0, '127.0.0.1');
  state.port = address.port;
  return state;
}

export async function startGreeters(...ids: string[]): Promise<GreeterServer[]> {
  return Promise.all(ids.map(startGreeter));
}

export async function stopAll(servers: readonly GreeterServer[]): Promise<void> {
  await Promise.all(servers.map((s) => s.server.close(100)));
}

export { Code };
