// A dubbo-js client for the interop suite: `node client.mjs BASE_URL PROTOCOL [VERSION GROUP]`
// (PROTOCOL: triple over HTTP/2, triple-http1 over HTTP/1.1, or grpc) makes the calls the suite
// checks and prints one JSON line of results: replies, streamed replies, and errors by code.

import { Code, createPromiseClient, DubboError } from '@apachedubbo/dubbo';
import { createDubboTransport, createGrpcTransport } from '@apachedubbo/dubbo-node';
import { DetailService } from './shop.mjs';

const [baseUrl, protocol, serviceVersion, serviceGroup] = process.argv.slice(2);
const transport =
  protocol === 'grpc'
    ? createGrpcTransport({ baseUrl, httpVersion: '2' })
    : createDubboTransport({ baseUrl, httpVersion: protocol === 'triple-http1' ? '1.1' : '2' });
const client = createPromiseClient(DetailService, transport, {
  ...(serviceVersion ? { serviceVersion } : {}),
  ...(serviceGroup ? { serviceGroup } : {}),
});

const settle = async (f) => {
  try {
    return { ok: await f() };
  } catch (err) {
    const e = DubboError.from(err);
    return { code: Code[e.code], message: e.rawMessage };
  }
};
const plain = (m) => ({ server: m.server, headers: { ...m.headers } });

const results = {
  unary: await settle(async () =>
    plain(await client.getItem({ sku: 7n, username: 'alice' }, { headers: { 'x-user': 'alice' } })),
  ),
  notFound: await settle(async () => plain(await client.getItem({ sku: 8n, username: 'missing' }))),
  deadline: await settle(async () =>
    plain(await client.getItem({ sku: 9n, username: 'slow' }, { timeoutMs: 300 })),
  ),
  stream: await settle(async () => {
    const out = [];
    for await (const m of client.watchItem({ sku: 1n, username: 'bob' })) out.push(plain(m).server);
    return out;
  }),
};
process.stdout.write(`${JSON.stringify(results)}\n`);
// HTTP/2 sessions stay open for reuse: nothing more to call.
process.exit(0);
