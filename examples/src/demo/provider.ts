// One provider of the demo: the greeter, served by an xDS-enabled server that registers itself
// with the control plane through its node metadata (app `greeter`, its version and zone labels).
// With --root-cert (the mesh root) and a token in SHOAL_TOKEN, it gets its certificate from the
// control plane's CA (the built-in shoal_ca provider), talks mTLS to the xDS port, and serves
// mTLS when PeerAuthentication says so.
//   SHOAL_TOKEN=$(npx shoal token create -n default --service-account greeter) \
//   node examples/dist/demo/provider.js --name v1-zone-a --version v1 --zone zone-a \
//     --ip 127.0.0.11 --port 50051 --xds 127.0.0.1:15010 --root-cert .shoal/demo/root-cert.pem

import { parseArgs } from 'node:util';
import { createXdsServer, withRegistration } from '@shoal/mesh';
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
    'root-cert': { type: 'string' },
  },
});
const rootCert = values['root-cert'];
const port = Number(values.port);
const locality = { region: values.region, zone: values.zone };
const channelCreds = rootCert
  ? { type: 'tls', config: { ca_certificate_file: rootCert, certificate_provider_instance: 'default' } }
  : { type: 'insecure' };
const bootstrap = parseBootstrap({
  xds_servers: [{ server_uri: values.xds, channel_creds: [channelCreds], server_features: ['xds_v3'] }],
  node: { id: `greeter-${values.name}`, locality, metadata: { NAMESPACE: 'default' } },
  // The token comes from SHOAL_TOKEN.
  ...(rootCert && { certificate_providers: { default: { plugin_name: 'shoal_ca', config: {} } } }),
  server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
});

const server = createXdsServer({
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
