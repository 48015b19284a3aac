// A dubbo-js Triple server (dubboNodeAdapter on node:http2, h2c) for the interop suite. It serves
// DetailService twice, as Dubbo does: without version and group, and as version 1.0.0 group gold.
// Every reply names the copy that answered and the Triple headers it received. Username "missing"
// fails NOT_FOUND; "slow" answers after 1.5 s. Prints {"port": N} once listening; stops on SIGTERM.

import http2 from 'node:http2';
import { Code, DubboError } from '@apachedubbo/dubbo';
import { dubboNodeAdapter } from '@apachedubbo/dubbo-node';
import { DetailService } from './shop.mjs';

const SEEN = [
  'tri-service-version',
  'tri-service-group',
  'tri-service-timeout',
  'grpc-timeout',
  'tri-protocol-version',
  'content-type',
  'x-user',
];

function implementation(name) {
  const reply = (ctx) => {
    const headers = {};
    for (const h of SEEN) {
      const v = ctx.requestHeader.get(h);
      if (v !== null) headers[h] = v;
    }
    return { server: name, headers };
  };
  return {
    async getItem(req, ctx) {
      if (req.username === 'missing') throw new DubboError(`no item ${req.sku}`, Code.NotFound);
      if (req.username === 'slow') await new Promise((r) => setTimeout(r, 1500));
      return reply(ctx);
    },
    async *watchItem(req, ctx) {
      for (let i = 0; i < 3; i++) yield reply(ctx);
      if (req.username === 'missing') throw new DubboError('stream ends badly', Code.DataLoss);
    },
  };
}

const server = http2.createServer(
  dubboNodeAdapter({
    routes: (router) => {
      router.service(DetailService, implementation('dubbo-js'));
      router.service(DetailService, implementation('dubbo-js-gold'), {
        serviceVersion: '1.0.0',
        serviceGroup: 'gold',
      });
    },
  }),
);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
