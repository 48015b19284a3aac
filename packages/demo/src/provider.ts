// One provider of the demo: the greeter, served by an xDS-enabled server that registers itself
// with the control plane through its node metadata (app `greeter`, its version and zone labels),
// with telemetry on: Istio's and gRPC's metrics at http://IP:ADMIN_PORT/stats/prometheus, the admin
// port announced to the control plane (which lists it for Prometheus), and load reports.
// With --root-cert (the mesh root) and a token in SHOAL_TOKEN, it gets its certificate from the
// control plane's CA (the built-in shoal_ca provider), talks mTLS to the xDS port, and serves
// mTLS when PeerAuthentication says so.
//   SHOAL_TOKEN=$(npx shoal token create -n default --service-account greeter) \
//   node packages/demo/dist/provider.js --name v1-zone-a --version v1 --zone zone-a \
//     --ip 127.0.0.11 --port 50051 --xds 127.0.0.1:15010 [--admin-port 15020] \
//     [--root-cert .shoal/demo/root-cert.pem]
// With control-plane replicas, --xds lists them (comma-separated): the bootstrap then has several
// xds_servers with fallback_on_reachability_only (gRFC A71/A95), so the provider's stream, and its
// registration, move to another replica as soon as the one it uses is unreachable.

import { parseArgs } from 'node:util';
import { createXdsEnabledServer, withRegistration } from '@shoal/mesh';
import { createTelemetry } from '@shoal/telemetry';
import { workloadFromNode } from '@shoal/telemetry/plugins';
import { createXdsClient, parseBootstrap } from '@shoal/xds';
import { GreeterService, greeterImpl } from './greeter.js';

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
    'admin-port': { type: 'string', default: '15020' },
  },
});
const rootCert = values['root-cert'];
const port = Number(values.port);
const locality = { region: values.region, zone: values.zone };
const channelCreds = rootCert
  ? { type: 'tls', config: { ca_certificate_file: rootCert, certificate_provider_instance: 'default' } }
  : { type: 'insecure' };
const servers = values.xds.split(',').filter((s) => s !== '');
const bootstrap = parseBootstrap({
  xds_servers: servers.map((uri) => ({
    server_uri: uri,
    channel_creds: [channelCreds],
    server_features: ['xds_v3'],
  })),
  ...(servers.length > 1 && { fallback_on_reachability_only: true }),
  node: { id: `greeter-${values.name}`, locality, metadata: { NAMESPACE: 'default' } },
  // The token comes from SHOAL_TOKEN.
  ...(rootCert && { certificate_providers: { default: { plugin_name: 'shoal_ca', config: {} } } }),
  server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
});

const labels = { version: values.version, zone: values.zone };
const node = {
  ...bootstrap.node,
  metadata: { ...bootstrap.node.metadata, SHOAL_APP: 'greeter', SHOAL_LABELS: labels },
};
const telemetry = createTelemetry({ node, adminPort: Number(values['admin-port']), adminHost: values.ip });
const admin = await telemetry.listen().catch((err: Error) => {
  console.error(`cannot open the admin port ${values.ip}:${values['admin-port']}: ${err.message}`);
  process.exit(1);
});
const server = createXdsEnabledServer({
  bootstrap,
  telemetry,
  workload: workloadFromNode(node),
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
  bootstrap: telemetry.announce(
    withRegistration(bootstrap, {
      app: 'greeter',
      port,
      services: server.services,
      labels,
      instanceIps: [values.ip],
      locality,
    }),
  ),
  metrics: telemetry.xdsClientMetrics('#server'),
});
server.watch(xds);
console.log(
  `listening on ${values.ip}:${port} as ${values.name} (version ${values.version}, ${values.zone}), pid ${process.pid}; metrics on http://${admin?.host}:${admin?.port}/stats/prometheus`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    xds.close();
    void server
      .close(1000)
      .then(() => telemetry.close())
      .then(() => process.exit(0));
  });
}
