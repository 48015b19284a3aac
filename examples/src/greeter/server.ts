// Runs the example greeter provider on one port for gRPC, Triple and curl:
//   node examples/dist/greeter/server.js [--port 50051] [--host 127.0.0.1]

import { parseArgs } from 'node:util';
import { GreeterService, greeterImpl } from '@shoal/demo';
import { Server } from '@shoal/rpc';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '50051' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`greeter: --port must be a port number, got "${values.port}"`);
  process.exit(2);
}

const server = new Server({ standardServices: true });
server.register(GreeterService, greeterImpl(`greeter@${values.host}:${port}`));
try {
  const address = await server.listen(port, values.host);
  const base = `${address.host}:${address.port}`;
  console.log(`greeter: serving greet.v1.GreeterService on ${base} (gRPC, Triple and HTTP/1.1 JSON)`);
  console.log('try:');
  console.log(
    `  curl -H 'content-type: application/json' -d '{"name":"Shoal"}' http://${base}/greet.v1.GreeterService/Greet`,
  );
  console.log('Ctrl-C stops it.');
} catch (err) {
  console.error(`greeter: cannot listen on ${values.host}:${port}: ${(err as Error).message}`);
  process.exit(1);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`greeter: ${signal}, draining calls and stopping`);
    void server.close(2000).then(() => process.exit(0));
  });
}
