// One provider of the demo: the greeter, served by an xDS-enabled server that registers itself
// with the control plane through its node metadata (app `greeter`, its version and zone labels).
//   node examples/dist/demo/provider.js --name v1-zone-a --version v1 --zone zone-a \
//     --ip 127.0.0.11 --port 50051 --xds 127.0.0.1:15010

import { parseArgs } from 'node:util';
import { createXdsEnabledServer, withRegistration } from '@shoal/mesh';
import { createXdsClient, parseBootstrap } from '@shoal/xds';
import { GreeterService, greeterImpl } from '../greeter/greeter-impl.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'provider' },
    version: { type: 'string', default: 'v1' },
    zone: { type: 'string', default: 'zone-a' },
    region: { type: 'string', default: 'local' },
    ip: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '50051' },
    xds: { type: 'string', default: '127.0.0.1:15010' },
  },
});
const port = Number(values.port);
const locality = { region: values.region, zone: values.zone };
const bootstrap = parseBootstrap({
  xds_servers: [
    { server_uri: values.xds, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
  ],
  node: { id: `greeter-${values.name}`, locality, metadata: { NAMESPACE: 'default' } },
  server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
});

const server = createXdsEnabledServer({
  bootstrap,
  standardServices: true,
  onServingStatus: (serving, reason) => console.log(`${serving ? 'serving' : 'not serving'}: ${reason}`),
});
server.register(GreeterService, greeterImpl(values.name));
try {
  await server.listen(port, values.ip);
} catch (err) {
  console.error(`cannot listen on ${values.ip}:${port}: ${(err as Error).message}`);
  process.exit(1);
}
const xds = createXdsClient({
  bootstrap: withRegistration(bootstrap, {
    app: 'greeter',
    port,
    services: server.services,
    labels: { version: values.version, zone: values.zone },
    instanceIps: [values.ip],
    locality,
  }),
});
server.watch(xds);
console.log(
  `listening on ${values.ip}:${port} as ${values.name} (version ${values.version}, ${values.zone}), pid ${process.pid}`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    xds.close();
    void server.close(1000).then(() => process.exit(0));
  });
}
